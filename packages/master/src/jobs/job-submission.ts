/**
 * Submitting a job (JobService.submit): the checks a submit makes (reserved argument names, an unknown project,
 * version or spider; the unique-arguments policy), the queued row, and its `job.queued`.
 */
import type { JobPolicyOverride } from '@scrapyard/protocol';
import type { JobRef } from '../events/domain-events.js';
import { assertPathSafe } from '../projects/project-service.js';
import { spiderNotFound } from '../projects/project-errors.js';
import { duplicateJob, reservedArgument } from './job-errors.js';
import { newRunId } from './job-refs.js';
import type { JobServiceDeps } from './job-service.js';
import { normalizeTags } from './placement.js';
import { uuid1Hex } from './uuid1.js';

export interface SubmitInput {
  project: string;
  spider: string;
  /** As the client sent it; absent or empty means the latest version at launch (deviation D4). */
  version: string | undefined;
  jobId: string | undefined;
  priority: number;
  settings: [string, string][];
  args: [string, string][];
  /** Tags an agent must have; undefined = the spider's or project's policy. */
  tags: string[] | undefined;
  /** The schedule whose fire submits it. */
  scheduleId?: string;
  /** Its own run limits (win over the spider's and project's). */
  policy?: JobPolicyOverride | null;
}

/** Spider arguments the runner claims; passing them made Scrapyd fail with a TypeError (docs/scrapyd-api.md §3.3). */
const RESERVED_ARGS = new Set(['settings', '_job', 'name', 'spider_name', '_version']);

/** The unique key of a job: its project, spider and the values of the chosen arguments (absent: null). */
export function uniqueKeyOf(project: string, spider: string, args: [string, string][], names: string[]): string {
  const values = new Map(args);
  return JSON.stringify([project, spider, ...names.map((n) => [n, values.get(n) ?? null])]);
}

export class JobSubmission {
  constructor(private readonly d: Pick<JobServiceDeps, 'jobs' | 'policies' | 'events' | 'spiders' | 'now'>) {}

  /**
   * What a submit would refuse about the job's spider and arguments (reserved argument names, an unknown project,
   * version or spider), so a schedule is checked when it is saved, not only when it fires.
   */
  async checkSubmittable(input: Pick<SubmitInput, 'project' | 'spider' | 'version' | 'args'>): Promise<void> {
    for (const [key] of input.args) {
      if (RESERVED_ARGS.has(key)) throw reservedArgument(key);
    }
    if (!(await this.d.spiders(input.project, input.version)).includes(input.spider)) {
      throw spiderNotFound(input.project, input.spider);
    }
  }

  /** Queues a job; resolves once it is committed (schedule.json's hot path: nothing is read back). */
  async submit(input: SubmitInput): Promise<JobRef> {
    await this.checkSubmittable(input);
    assertPathSafe(input.spider, 'spider');
    const jobId = input.jobId ?? uuid1Hex();
    if (input.jobId !== undefined) assertPathSafe(jobId, 'jobid');
    const job = {
      runId: newRunId(),
      jobId,
      project: input.project,
      spider: input.spider,
      versionRequested: input.version === '' ? null : (input.version ?? null),
      settings: input.settings,
      args: input.args,
      priority: input.priority,
      createdAt: this.d.now(),
      tags: normalizeTags(input.tags ?? this.d.policies.tagsFor(input.project, input.spider)),
      scheduleId: input.scheduleId ?? null,
      policy: input.policy && Object.keys(input.policy).length > 0 ? input.policy : null,
      uniqueKey: null as string | null,
    };
    const unique = this.d.policies.limitsFor(input.project, input.spider, job.policy).uniqueArgs;
    if (unique === null) {
      await this.d.jobs.insertPending(job);
    } else {
      job.uniqueKey = uniqueKeyOf(input.project, input.spider, input.args, unique);
      const held = await this.d.jobs.activeWithKey(job.uniqueKey);
      if (held || !(await this.d.jobs.insertUnique(job))) {
        const other = held ?? (await this.d.jobs.activeWithKey(job.uniqueKey));
        throw duplicateJob({
          project: input.project,
          spider: input.spider,
          uniqueArgs: unique,
          heldBy: other && { jobId: other.job_id, state: other.state },
        });
      }
    }
    const ref = { jobId, runId: job.runId, project: job.project, spider: job.spider };
    this.d.events.publish({
      type: 'job.queued',
      job: ref,
      priority: job.priority,
      tags: job.tags,
      attempt: 1,
      scheduleId: job.scheduleId,
      argNames: input.args.map(([k]) => k),
      settingNames: input.settings.map(([k]) => k),
    });
    return ref;
  }
}
