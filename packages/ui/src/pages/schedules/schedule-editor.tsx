/**
 * Create or edit a schedule: project, spider, timing with its preview, arguments, settings, every option and the
 * run limits of its jobs. The master's refusal is shown whole, and each problem it names beside its field.
 */
import type { CreateScheduleRequest, Schedule } from '@scrapyard/protocol';
import { ErrorBanner } from '../../components/error-banner.js';
import { Field, TextField, type TextOptions } from '../../components/field.js';
import { Check, FormActions } from '../../components/form-parts.js';
import { useForm } from '../../components/use-form.js';
import { useLoad } from '../../components/use-load.js';
import { browserZone } from '../../format/time.js';
import { useSession } from '../../session/session.js';
import { CronField } from './cron-field.js';
import { emptyForm, formFromSchedule, JOB_POLICY_FIELDS, requestFromForm, type ScheduleForm } from './schedule-form.js';
import { createSchedule, listProjects, updateSchedule } from '../../api/schedules.js';

/** `policy.maxRunSeconds` is the form's `maxRunSeconds`; any other path its first part (`args.x`: `args`). */
const fieldOf = (path: string) => {
  const [head, next] = path.split('.');
  return (head === 'policy' ? next : head) as keyof ScheduleForm;
};

export function ScheduleEditor(props: { schedule?: Schedule; onSaved(s: Schedule): void; onCancel?: () => void }) {
  const { can } = useSession();
  const projects = useLoad(listProjects);
  const f = useForm({
    initial: () => (props.schedule ? formFromSchedule(props.schedule) : emptyForm(browserZone())),
    build: requestFromForm,
    send: (body: CreateScheduleRequest) =>
      props.schedule ? updateSchedule(props.schedule.id, body) : createSchedule(body),
    onSaved: props.onSaved,
    fieldOf,
  });
  const { form, set, errors } = f;
  const mine = (projects.data?.projects ?? []).filter((p) => can('configure', p.name));
  const spiders = mine.find((p) => p.name === form.project)?.spiders ?? [];
  const text = (key: keyof ScheduleForm & string, label: string, extra: TextOptions = {}) => (
    <TextField key={key} label={label} {...extra} {...f.bind(key)} />
  );

  return (
    <form
      class="card schedule-editor"
      onSubmit={f.submit}
      aria-label={props.schedule ? 'Edit schedule' : 'New schedule'}
    >
      <ErrorBanner error={f.error ?? projects.error} />
      <div class="inline-form">
        {text('name', 'Name (optional)', { maxLength: 200 })}
        <Field label="Project" error={errors.project}>
          <select name="project" value={form.project} onChange={(e) => set('project', e.currentTarget.value)}>
            <option value="">choose…</option>
            {mine.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Spider" error={errors.spider}>
          <input
            name="spider"
            list="schedule-spiders"
            value={form.spider}
            onInput={(e) => set('spider', e.currentTarget.value)}
          />
          <datalist id="schedule-spiders">
            {spiders.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </Field>
        {text('version', 'Version (empty: the latest)')}
      </div>
      <CronField form={form} set={set} errors={errors} />
      <div class="inline-form">
        <Field label="Arguments (key=value a line)" error={errors.args}>
          <textarea name="args" rows={3} value={form.args} onInput={(e) => set('args', e.currentTarget.value)} />
        </Field>
        <Field label="Settings (key=value a line)" error={errors.settings}>
          <textarea
            name="settings"
            rows={3}
            value={form.settings}
            onInput={(e) => set('settings', e.currentTarget.value)}
          />
        </Field>
      </div>
      <details>
        <summary>Options</summary>
        <div class="inline-form">
          {text('tags', 'Node tags (empty: the policy)')}
          {text('priority', 'Priority', { inputMode: 'decimal' })}
          {text('jitterSeconds', 'Jitter (s)', { inputMode: 'numeric' })}
          {text('startAt', 'Start at (ISO, with Z or offset)')}
          {text('endAt', 'End at')}
          <Field label="While the previous job runs">
            <select
              name="overlap"
              value={form.overlap}
              onChange={(e) => set('overlap', e.currentTarget.value as ScheduleForm['overlap'])}
            >
              <option value="forbid">skip the fire</option>
              <option value="allow">run anyway</option>
              <option value="replace">cancel it and run</option>
              <option value="queue">wait for it</option>
            </select>
          </Field>
          <Field label="Fires missed while down">
            <select
              name="misfire"
              value={form.misfire}
              onChange={(e) => set('misfire', e.currentTarget.value as ScheduleForm['misfire'])}
            >
              <option value="run_once">run once</option>
              <option value="skip">skip them</option>
              <option value="backfill">backfill</option>
            </select>
          </Field>
          {text('misfireGraceSeconds', 'Grace (s)', { inputMode: 'numeric' })}
          {text('backfillWindowSeconds', 'Backfill window (s)', { inputMode: 'numeric' })}
          {text('backfillMax', 'Backfill at most', { inputMode: 'numeric' })}
          <Check label="Enabled" {...f.check('enabled')} />
        </div>
      </details>
      <details open={JOB_POLICY_FIELDS.some(({ key }) => form[key] !== '' || errors[key] !== undefined)}>
        <summary>Run limits of its jobs</summary>
        <p class="muted">Empty: the spider's or the project's policy.</p>
        <div class="inline-form">
          {JOB_POLICY_FIELDS.map(({ key, label, hint }) => text(key, label, { placeholder: hint || 'inherit' }))}
        </div>
      </details>
      <FormActions
        submit={props.schedule ? 'Save schedule' : 'Create schedule'}
        busy={f.busy}
        onCancel={props.onCancel}
      />
    </form>
  );
}
