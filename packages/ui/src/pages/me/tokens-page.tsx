/** My API tokens (/api/v1/tokens): the list, a new one (its secret shown once), revoking one. */
import type { TokenRole } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { createToken, listTokens, revokeToken } from '../../api/me.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Time } from '../../components/time.js';
import { TableHead } from '../../components/table-head.js';
import { useAction } from '../../components/use-action.js';
import { useLoad } from '../../components/use-load.js';
import { useSession } from '../../session/session.js';
import { tokenRolesFor } from '../../session/token-roles.js';

const DAY = 86_400_000;
const EXPIRIES = [
  { label: 'in 30 days', days: 30 },
  { label: 'in 90 days', days: 90 },
  { label: 'in a year', days: 365 },
  { label: 'never', days: 0 },
] as const;

export function TokensPage() {
  const { who } = useSession();
  const roles = tokenRolesFor(who?.user.grants ?? []);
  const { data, error, loading, reload } = useLoad(listTokens);
  const [name, setName] = useState('');
  const [role, setRole] = useState<TokenRole>(roles[0] ?? 'viewer');
  const [days, setDays] = useState<number>(90);
  const [created, setCreated] = useState<{ name: string; secret: string } | undefined>(undefined);
  const action = useAction();
  const busy = action.busy;

  const act = async (what: () => Promise<unknown>) => {
    const done = await action.run(() => what().then(() => true));
    if (done) {
      reload();
    }
  };
  const create = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      const answer = await createToken({ name, role, ...(days > 0 && { expiresAt: Date.now() + days * DAY }) });
      setCreated({ name: answer.token.name, secret: answer.secret });
      setName('');
    });
  };

  return (
    <>
      <h1>My tokens</h1>
      <p class="muted">
        API tokens act for you from scripts, <code>scrapyd-deploy</code> and the CLI, never beyond your own role.
      </p>
      <ErrorBanner error={action.error ?? error} />
      {created && (
        <div class="card secret-once" role="status">
          <p>
            The token <strong>{created.name}</strong>: copy it now, it is shown only once.
          </p>
          <input class="secret" readOnly value={created.secret} aria-label="The new token" />
          <button type="button" class="secondary" onClick={() => setCreated(undefined)}>
            Done
          </button>
        </div>
      )}
      <form class="card inline-form" onSubmit={create} aria-label="New token">
        <label>
          Name
          <input
            name="token-name"
            required
            maxLength={100}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          Role
          <select name="token-role" value={role} onChange={(e) => setRole(e.currentTarget.value as TokenRole)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Expires
          <select name="token-expiry" value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {EXPIRIES.map((x) => (
              <option key={x.days} value={x.days}>
                {x.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy || roles.length === 0}>
          Create token
        </button>
      </form>
      {loading && !data && <p class="muted">Loading…</p>}
      {data && data.tokens.length === 0 && (
        <EmptyState title="No tokens yet.">
          <p>Create one above to call the API from a script.</p>
        </EmptyState>
      )}
      {data && data.tokens.length > 0 && (
        <div class="table-wrap">
          <table>
            <TableHead
              columns={[
                'Name',
                'Starts with',
                'Role',
                'Projects',
                'Created',
                'Expires',
                'Last used',
                'State',
                { hidden: 'Actions' },
              ]}
            />
            <tbody>
              {data.tokens.map((t) => (
                <tr key={t.id} data-token={t.name}>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.hint}…</code>
                  </td>
                  <td>{t.role}</td>
                  <td>{t.projects === '*' ? 'all' : t.projects.join(', ')}</td>
                  <td>
                    <Time ms={t.createdAt} />
                  </td>
                  <td>
                    <Time ms={t.expiresAt} />
                  </td>
                  <td>
                    <Time ms={t.lastUsedAt} />
                  </td>
                  <td>
                    <span class={`state state-${t.state}`}>{t.state}</span>
                  </td>
                  <td>
                    {t.state === 'active' && (
                      <ConfirmButton onConfirm={() => act(() => revokeToken(t.id))}>Revoke</ConfirmButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
