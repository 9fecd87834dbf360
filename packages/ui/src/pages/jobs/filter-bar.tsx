/** The jobs list's filters: a form whose values live in the URL (job-filters.ts); applying one starts at page 1. */
import { useEffect, useState } from 'preact/hooks';
import { Options } from '../../components/options.js';
import { FILTER_KEYS, OUTCOMES, STATES, type FilterKey, type JobFilters } from './job-filters.js';

const TEXT: readonly [FilterKey, string][] = [
  ['project', 'Project'],
  ['spider', 'Spider'],
  ['nodeId', 'Node'],
  ['tag', 'Tag'],
];

const TIMES: readonly [FilterKey, string][] = [
  ['since', 'Queued since'],
  ['until', 'Queued before'],
];

export function FilterBar({ filters, onApply }: { filters: JobFilters; onApply: (f: JobFilters) => void }) {
  const [draft, setDraft] = useState<JobFilters>(filters);
  useEffect(() => setDraft(filters), [JSON.stringify(filters)]);
  const set = (key: FilterKey, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const submit = (e: Event) => {
    e.preventDefault();
    const clean: JobFilters = {};
    for (const k of FILTER_KEYS) if (draft[k]?.trim()) clean[k] = draft[k]!.trim();
    onApply(clean);
  };
  return (
    <form class="card inline-form filters" onSubmit={submit} aria-label="Filter jobs">
      {TEXT.map(([key, label]) => (
        <label key={key}>
          {label}
          <input name={`filter-${key}`} value={draft[key] ?? ''} onInput={(e) => set(key, e.currentTarget.value)} />
        </label>
      ))}
      <label>
        State
        <select name="filter-state" value={draft.state ?? ''} onChange={(e) => set('state', e.currentTarget.value)}>
          <option value="">any</option>
          <option value="pending,running">pending or running</option>
          <Options values={STATES} />
        </select>
      </label>
      <label>
        Outcome
        <select
          name="filter-outcome"
          value={draft.outcome ?? ''}
          onChange={(e) => set('outcome', e.currentTarget.value)}
        >
          <Options values={OUTCOMES} first={['', 'any']} />
        </select>
      </label>
      {TIMES.map(([key, label]) => (
        <label key={key}>
          {label}
          <input
            type="datetime-local"
            name={`filter-${key}`}
            value={draft[key] ?? ''}
            onInput={(e) => set(key, e.currentTarget.value)}
          />
        </label>
      ))}
      <button type="submit">Filter</button>
      <button type="button" class="secondary" onClick={() => onApply({})}>
        Clear
      </button>
    </form>
  );
}
