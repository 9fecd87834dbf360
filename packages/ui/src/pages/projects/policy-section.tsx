/**
 * A project's or a spider's policy (tags, caps, run limits, retries, unique key, start rate): what it sets, and
 * for `configure` an edit form (PUT: the whole policy, an empty field inherits) and a reset (DELETE).
 */
import type { PlacementPolicy } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { ConfirmButton } from '../../components/confirm-button.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { useLoad } from '../../components/use-load.js';
import { useAction } from '../../components/use-action.js';
import { useSession } from '../../session/session.js';
import { POLICY_FIELDS, formToPolicy, policySummary, policyToForm, type PolicyForm } from './policy-form.js';
import { deletePolicy, getPolicy, putPolicy } from './projects-api.js';

export function PolicySection(props: { project: string; spider?: string }) {
  const { can } = useSession();
  const { project, spider } = props;
  const { data, error, reload } = useLoad(() => getPolicy(project, spider), [project, spider]);
  const [form, setForm] = useState<PolicyForm | undefined>(undefined);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<keyof PlacementPolicy, string>>>({});
  const action = useAction();
  const busy = action.busy;
  const editable = can('configure', project);
  const whose = spider === undefined ? 'project' : 'spider';

  const act = async (what: () => Promise<unknown>) => {
    const done = await action.run(() => what().then(() => true));
    if (done) {
      setForm(undefined);
      reload();
    }
  };
  const save = (e: Event) => {
    e.preventDefault();
    if (!form) return;
    const parsed = formToPolicy(form);
    if (!parsed.ok) return setFieldErrors(parsed.errors);
    setFieldErrors({});
    void act(() => putPolicy(project, parsed.policy, spider));
  };

  const set = data ? policySummary(data) : [];
  return (
    <section class="card" aria-labelledby={`policy-${whose}`}>
      <h2 id={`policy-${whose}`}>Policy of the {whose}</h2>
      <ErrorBanner error={action.error ?? error} />
      {!form && data && (
        <>
          {set.length === 0 ? (
            <p class="muted">
              Nothing set: every field inherits {spider === undefined ? 'the defaults' : "the project's policy"}.
            </p>
          ) : (
            <dl class="facts policy-facts">
              {set.map((f) => (
                <div key={f.label}>
                  <dt>{f.label}</dt>
                  <dd>{f.value}</dd>
                </div>
              ))}
            </dl>
          )}
          {editable && (
            <div class="actions">
              <button type="button" class="secondary" onClick={() => setForm(policyToForm(data))}>
                Edit the policy
              </button>
              {set.length > 0 && (
                <ConfirmButton onConfirm={() => act(() => deletePolicy(project, spider))}>
                  Reset to inherit
                </ConfirmButton>
              )}
            </div>
          )}
        </>
      )}
      {form && (
        <form class="policy-form" onSubmit={save} aria-label={`Edit the ${whose} policy`}>
          {POLICY_FIELDS.map((f) => (
            <label key={f.key}>
              {f.label}
              <input
                name={f.key}
                value={form[f.key]}
                placeholder={f.hint || 'inherit'}
                aria-invalid={fieldErrors[f.key] ? true : undefined}
                onInput={(e) => setForm({ ...form, [f.key]: e.currentTarget.value })}
              />
              {fieldErrors[f.key] && <span class="field-error">{fieldErrors[f.key]}</span>}
            </label>
          ))}
          <div class="actions">
            <button type="submit" disabled={busy}>
              Save the policy
            </button>
            <button type="button" class="secondary" onClick={() => setForm(undefined)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
