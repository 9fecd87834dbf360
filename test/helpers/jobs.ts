/** Shared steps of job tests: deploy the demo egg, schedule, and wait for a job to reach a state. */
import { ListJobsResponseBody, NO_POLICY, type FinishedJob, type RunningJob } from '@scrapyard/protocol';
import { ScrapydClient, type Form } from './clients.js';
import { buildEgg, type FixtureProject } from './eggs.js';
import { waitFor } from './wait.js';

/** The demo fixture's spiders, as `scrapy list` prints them (sorted). */
/** A project or spider policy with nothing set (every field inherits). */
export const EMPTY_POLICY = NO_POLICY;

export const DEMO_SPIDERS = ['crash', 'envdump', 'fails', 'needsdep', 'quick', 'silent', 'slow', 'stubborn'];

export async function deploy(api: ScrapydClient, project: FixtureProject = 'demo', version = '1'): Promise<void> {
  ScrapydClient.ok(await api.addVersion(project, version, await buildEgg(project)));
}

export async function schedule(api: ScrapydClient, form: Form): Promise<string> {
  return String(ScrapydClient.ok(await api.post('schedule.json', form)).jobid);
}

export async function listJobs(api: ScrapydClient, project?: string) {
  return ListJobsResponseBody.parse(await api.get('listjobs.json', project ? { project } : {}));
}

export type FinishedWithOutcome = FinishedJob & { outcome: string | null; exit_code: number | null };

export async function waitFinished(
  api: ScrapydClient,
  jobid: string,
  timeoutMs = 90_000,
): Promise<FinishedWithOutcome> {
  return waitFor(
    async () => {
      const body = await api.get('listjobs.json');
      const jobs = ListJobsResponseBody.parse(body);
      const found = jobs.finished.find((j) => j.id === jobid);
      if (!found) return undefined;
      const raw = (body.finished as Record<string, unknown>[]).find((j) => j.id === jobid)!;
      return { ...found, outcome: raw.outcome as string | null, exit_code: raw.exit_code as number | null };
    },
    { timeoutMs, what: `job ${jobid} to finish` },
  );
}

/** Waits until the job runs and its process exists (pid set). */
export async function waitRunning(api: ScrapydClient, jobid: string, timeoutMs = 60_000): Promise<RunningJob> {
  return waitFor(async () => (await listJobs(api)).running.find((j) => j.id === jobid && j.pid !== null), {
    timeoutMs,
    what: `job ${jobid} to be running with a pid`,
  });
}

/** Waits until the job's log on the master contains a pattern. */
export async function waitLog(api: ScrapydClient, path: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return waitFor(
    async () => {
      const r = await api.raw('GET', path);
      return r.status === 200 && pattern.test(r.text) ? r.text : undefined;
    },
    { timeoutMs, what: `${path} to match ${pattern}` },
  );
}
