/** A service account's token: name, role (`metrics` too), projects, expiry; its secret shown once with a copy button. */
import type { TokenRole } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { createServiceToken } from '../../api/admin.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Options } from '../../components/options.js';
import { useAction } from '../../components/use-action.js';
import { tokenRolesFor } from '../../session/token-roles.js';
import { scopeOf } from './grants.js';
import { ProjectPicker, type Picked } from './project-picker.js';

/** Every token role: what an admin on `*` may hand out. */
const ROLES = tokenRolesFor([{ role: 'admin', projects: '*' }]);
const DAY = 86_400_000;

export function ServiceTokenForm(props: { deployed: readonly string[]; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<TokenRole>('viewer');
  const [picked, setPicked] = useState<Picked>({ all: true, projects: [] });
  const [days, setDays] = useState('90');
  const { run, error, busy } = useAction();
  const [created, setCreated] = useState<{ name: string; secret: string } | undefined>(undefined);
  const [copied, setCopied] = useState(false);
  // A metrics token reads /metrics, all of it: it has no projects to pick.
  const scope = role === 'metrics' ? '*' : scopeOf(picked.all, picked.projects);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (scope === undefined) return;
    const expiry = Number(days);
    const answer = await run(() =>
      createServiceToken({
        name,
        role,
        projects: scope === '*' ? '*' : [...scope],
        ...(expiry > 0 && { expiresAt: Date.now() + expiry * DAY }),
      }),
    );
    if (!answer) return;
    setCreated({ name: answer.token.name, secret: answer.secret });
    setCopied(false);
    setName('');
    props.onCreated();
  };
  // The clipboard is there only in a secure context (https, localhost): its refusal is shown like any error.
  const copy = async (secret: string) => {
    if ((await run(() => navigator.clipboard.writeText(secret).then(() => true))) === true) setCopied(true);
  };

  return (
    <>
      {created && (
        <div class="card secret-once" role="status">
          <p>
            The service token <strong>{created.name}</strong>: copy it now, it is shown only once.
          </p>
          <input class="secret" readOnly value={created.secret} aria-label="The new service token" />
          <button type="button" onClick={() => void copy(created.secret)}>
            {copied ? 'Copied' : 'Copy'}
          </button>
          <button type="button" class="secondary" onClick={() => setCreated(undefined)}>
            Done
          </button>
        </div>
      )}
      <form class="card stack" aria-label="New service token" onSubmit={(e) => void submit(e)}>
        <ErrorBanner error={error} />
        <div class="inline-form">
          <label>
            Token name
            <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            Token role
            <select value={role} onChange={(e) => setRole(e.currentTarget.value as TokenRole)}>
              <Options values={ROLES} />
            </select>
          </label>
          <label>
            Expires in
            <select value={days} onChange={(e) => setDays(e.currentTarget.value)}>
              <option value="30">30 days</option>
              <option value="90">90 days</option>
              <option value="365">a year</option>
              <option value="0">never</option>
            </select>
          </label>
        </div>
        {role !== 'metrics' && (
          <ProjectPicker value={picked} onChange={setPicked} deployed={props.deployed} idPrefix="token" />
        )}
        <button type="submit" disabled={busy || scope === undefined}>
          Create service token
        </button>
      </form>
    </>
  );
}
