/** Create or edit an alert rule: what it watches (by kind), where it is sent, and when. */
import type { AlertRule, AlertRuleKind, Channel } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { ErrorBanner } from '../../components/error-banner.js';
import { Field } from '../../components/field.js';
import { Check, FormActions } from '../../components/form-parts.js';
import { createRule, updateRule } from '../../api/alerts.js';
import {
  emptyRuleForm,
  FIRE_PROBLEMS,
  formFromRule,
  KIND_LABELS,
  OUTCOMES,
  ruleRequestFromForm,
  type RuleForm,
  type RuleFormErrors,
} from './rule-form.js';
import { useMayConfigure } from './use-configure.js';

const PROJECT_KINDS: readonly AlertRuleKind[] = ['job_outcome', 'job_items', 'job_errors'];

export function RuleEditor(props: { rule?: AlertRule; channels: Channel[]; onSaved(): void; onCancel(): void }) {
  const mayConfigure = useMayConfigure();
  const [form, setForm] = useState<RuleForm>(() => (props.rule ? formFromRule(props.rule) : emptyRuleForm()));
  const [errors, setErrors] = useState<RuleFormErrors>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const toggle = (key: 'outcomes' | 'on' | 'channels', value: string, on: boolean) =>
    setForm((f) => ({ ...f, [key]: on ? [...f[key], value] : f[key].filter((v) => v !== value) }));
  // Kinds about every project or the nodes need a `*` grant: offered only then.
  const kinds = (Object.keys(KIND_LABELS) as AlertRuleKind[]).filter(
    (k) => PROJECT_KINDS.includes(k) || mayConfigure(null),
  );

  const save = async (e: Event) => {
    e.preventDefault();
    const r = ruleRequestFromForm(form);
    setErrors(r.ok ? {} : r.errors);
    if (!r.ok) return;
    setError(undefined);
    setBusy(true);
    try {
      await (props.rule ? updateRule(props.rule.id, r.body) : createRule(r.body));
      props.onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const text = (key: keyof RuleForm, label: string) => (
    <Field label={label} error={errors[key]}>
      <input name={key} value={String(form[key])} onInput={(e) => set(key, e.currentTarget.value as never)} />
    </Field>
  );
  const checks = (key: 'outcomes' | 'on', values: readonly string[], legend: string) => (
    <fieldset>
      <legend>{legend}</legend>
      {values.map((v) => (
        <Check
          key={v}
          name={`${key}-${v}`}
          label={v.replace('_', ' ')}
          checked={form[key].includes(v)}
          onChange={(on) => toggle(key, v, on)}
        />
      ))}
      {errors[key] && <span class="field-error">{errors[key]}</span>}
    </fieldset>
  );

  return (
    <form class="card rule-editor" onSubmit={(e) => void save(e)} aria-label={props.rule ? 'Edit rule' : 'New rule'}>
      <ErrorBanner error={error} />
      <div class="inline-form">
        {text('name', 'Name')}
        <Field label="Alert when">
          <select name="kind" value={form.kind} onChange={(e) => set('kind', e.currentTarget.value as AlertRuleKind)}>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </Field>
        {PROJECT_KINDS.includes(form.kind) && (
          <>
            {text('project', mayConfigure(null) ? 'Project (empty: every project)' : 'Project')}
            {text('spider', 'Spider (empty: every spider)')}
          </>
        )}
        {form.kind === 'job_items' && (
          <>
            {text('minItems', 'Fewer items than')}
            {text('minPercentOfMedian', 'Or under % of the median')}
            {text('baselineRuns', 'Baseline runs')}
          </>
        )}
        {form.kind === 'job_errors' && (
          <>
            {text('maxErrors', 'More errors than')}
            {text('httpStatus', 'HTTP status (404, 5xx)')}
            {text('maxStatusPercent', 'Above % of responses')}
          </>
        )}
        {(form.kind === 'node_offline' || form.kind === 'node_resource') && text('node', 'Node (empty: every node)')}
        {form.kind === 'node_resource' && (
          <>
            <Field label="Resource">
              <select
                name="resource"
                value={form.resource}
                onChange={(e) => set('resource', e.currentTarget.value as RuleForm['resource'])}
              >
                <option value="cpu">CPU</option>
                <option value="memory">memory</option>
                <option value="disk">disk</option>
              </select>
            </Field>
            {text('abovePercent', 'Above %')}
          </>
        )}
        {form.kind === 'schedule_fire' && text('schedule', 'Schedule id (empty: every schedule)')}
      </div>
      {form.kind === 'job_outcome' && checks('outcomes', OUTCOMES, 'Outcomes')}
      {form.kind === 'schedule_fire' && checks('on', FIRE_PROBLEMS, 'When a fire is')}
      {props.channels.length > 0 && (
        <fieldset>
          <legend>Send to</legend>
          {props.channels.map((c) => (
            <Check
              key={c.id}
              name={`channel-${c.name}`}
              label={c.name}
              checked={form.channels.includes(c.id)}
              onChange={(on) => toggle('channels', c.id, on)}
            />
          ))}
        </fieldset>
      )}
      <div class="inline-form">
        {text('forSeconds', 'Holds for (s) before firing')}
        {text('repeatSeconds', 'Repeat every (s, empty: never)')}
        <Check
          name="sendResolved"
          label="Tell when resolved"
          checked={form.sendResolved}
          onChange={(v) => set('sendResolved', v)}
        />
        <Check name="enabled" label="Enabled" checked={form.enabled} onChange={(v) => set('enabled', v)} />
      </div>
      <FormActions submit={props.rule ? 'Save rule' : 'Create rule'} busy={busy} onCancel={props.onCancel} />
    </form>
  );
}
