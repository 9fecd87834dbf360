/**
 * "Schedule a job": a project the user may schedule in, a spider of it (and a version), arguments, settings, tags,
 * priority and the run-limit options POST /api/v1/jobs accepts. The API's refusal is shown as it came.
 */
import type { JobInfo, ProjectInfo } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { listProjects, submitJob } from '../../api/jobs.js';
import { EmptyState } from '../../components/empty-state.js';
import { Options } from '../../components/options.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { useLoad } from '../../components/use-load.js';
import type { Can } from '../../session/can.js';
import { buildSubmit, EMPTY_FORM, type SubmitForm } from './submit-form.js';

export function ScheduleForm(props: { can: Can; onDone: (job: JobInfo) => void; onClose: () => void }) {
  const projects = useLoad(listProjects);
  const [form, setForm] = useState<SubmitForm>(EMPTY_FORM);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const mine = (projects.data?.projects ?? []).filter((p) => props.can('schedule', p.name));
  const project: ProjectInfo | undefined = mine.find((p) => p.name === form.project);
  const set = (key: keyof SubmitForm) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setForm((f) => (key === 'project' ? { ...f, project: value, spider: '', version: '' } : { ...f, [key]: value }));
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const built = buildSubmit(form);
    if (!built.ok) return setError(new Error(built.error));
    setError(undefined);
    setBusy(true);
    try {
      props.onDone(await submitJob(built.body));
      setForm({ ...form, args: '', settings: '' });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (projects.error) return <ErrorBanner error={projects.error} />;
  if (!projects.data) return <p class="muted">Loading projects…</p>;
  if (mine.length === 0) {
    return (
      <EmptyState title="No project to schedule in.">
        <p>Deploy a project first (Projects, or scrapyd-deploy), then schedule its spiders here.</p>
      </EmptyState>
    );
  }
  const text = (key: keyof SubmitForm, label: string, hint?: string) => (
    <label>
      {label}
      <input name={`submit-${key}`} value={form[key]} onInput={set(key)} placeholder={hint} />
    </label>
  );
  return (
    <form class="card schedule-form" onSubmit={(e) => void submit(e)} aria-label="Schedule a job">
      <h2>Schedule a job</h2>
      <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      <div class="inline-form">
        <label>
          Project
          <select name="submit-project" required value={form.project} onChange={set('project')}>
            <Options values={mine.map((p) => p.name)} first={['', 'choose…']} />
          </select>
        </label>
        <label>
          Spider
          <select name="submit-spider" required value={form.spider} onChange={set('spider')} disabled={!project}>
            <Options values={project?.spiders ?? []} first={['', 'choose…']} />
          </select>
        </label>
        <label>
          Version
          <select name="submit-version" value={form.version} onChange={set('version')} disabled={!project}>
            <Options values={project?.versions.map((v) => v.name) ?? []} first={['', 'latest']} />
          </select>
        </label>
        {text('priority', 'Priority')}
        {text('tags', 'Tags', 'gpu, eu')}
      </div>
      <div class="inline-form">
        <label class="grow">
          Arguments (name=value a line)
          <textarea name="submit-args" rows={3} value={form.args} onInput={set('args')} />
        </label>
        <label class="grow">
          Settings (NAME=value a line)
          <textarea name="submit-settings" rows={3} value={form.settings} onInput={set('settings')} />
        </label>
      </div>
      <div class="inline-form">
        {text('retries', 'Retries', 'policy')}
        {text('maxRunSeconds', 'Max run time (s)', 'policy')}
        {text('stallSeconds', 'Stall after (s)', 'policy')}
        <button type="submit" disabled={busy}>
          Schedule
        </button>
        <button type="button" class="secondary" onClick={props.onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
