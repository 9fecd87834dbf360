/** The audit log's filters as a form; applying them changes the URL (audit-query.ts). */
import { useState } from 'preact/hooks';
import { localInputOf, msOfLocalInput, NO_FILTERS, type AuditFilters } from './audit-query.js';

/** Common actions and prefixes, offered while typing (any action or `prefix.` is accepted). */
const ACTIONS = ['user.', 'token.', 'login.', 'session.', 'job.', 'version.', 'schedule.', 'node.', 'webhook.'];

export function AuditFilterForm(props: { filters: AuditFilters; onApply: (f: AuditFilters) => void }) {
  const [f, setF] = useState(props.filters);
  const text = (k: 'actor' | 'action' | 'project', label: string, extra: Record<string, string> = {}) => (
    <label>
      {label}
      <input name={`audit-${k}`} value={f[k]} onInput={(e) => setF({ ...f, [k]: e.currentTarget.value })} {...extra} />
    </label>
  );
  const time = (k: 'since' | 'until', label: string) => (
    <label>
      {label}
      <input
        name={`audit-${k}`}
        type="datetime-local"
        value={localInputOf(f[k])}
        onInput={(e) => {
          const { [k]: _, ...rest } = f;
          const ms = msOfLocalInput(e.currentTarget.value);
          setF(ms === undefined ? rest : { ...rest, [k]: ms });
        }}
      />
    </label>
  );
  return (
    <form
      class="card inline-form"
      aria-label="Filters"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply(f);
      }}
    >
      {text('actor', 'Actor')}
      {text('action', 'Action', { list: 'audit-actions', placeholder: 'user.create or user.' })}
      <datalist id="audit-actions">
        {ACTIONS.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      {text('project', 'Project')}
      {time('since', 'From')}
      {time('until', 'To')}
      <button type="submit">Filter</button>
      <button
        type="button"
        class="secondary"
        onClick={() => {
          setF(NO_FILTERS);
          props.onApply(NO_FILTERS);
        }}
      >
        Clear
      </button>
      <p class="hint muted">Times are in your browser's zone.</p>
    </form>
  );
}
