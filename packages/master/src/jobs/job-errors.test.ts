/**
 * The job core speaks its own language: what it refuses is a catalogue error with the facts as details, never a
 * Scrapyd text (those are the adapter's: routes/scrapyd/scrapyd-error.test.ts).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { CatalogueError, NO_POLICY, type ErrorCode, type ErrorDetails } from '@scrapyard/protocol';
import { createJobsRepo } from '../db/repos/jobs.js';
import { openTestDatabase, testEachStore, type Store } from '../db/stores.test-support.js';
import { DomainEvents } from '../events/domain-events.js';
import { PolicyStore } from '../projects/policy-store.js';
import { projectNotFound, versionNotFound } from '../projects/project-errors.js';
import { AgentRegistry } from '../registry/registry.js';
import { JobService } from './job-service.js';
import type { SubmitInput } from './job-submission.js';
import { LogSink } from './log-sink.js';

/** Project `p` has version `v1` with spider `s`. */
async function jobCore(t: TestContext, store: Store) {
  const db = await openTestDatabase(t, store);
  const logger = pino({ level: 'silent' });
  const events = new DomainEvents({ logger, now: Date.now });
  const policies = new PolicyStore(db, 0);
  await policies.load();
  const sink = new LogSink();
  t.after(() => sink.closeAll());
  const service = new JobService({
    jobs: createJobsRepo(db),
    registry: new AgentRegistry(events),
    policies,
    sink,
    files: { logsDir: '', itemsDir: '' },
    events,
    spiders: async (project, version) => {
      if (project !== 'p') throw projectNotFound(project);
      if (version !== undefined && version !== '' && version !== 'v1') throw versionNotFound(project, version);
      return ['s'];
    },
    projectExists: async (project) => project === 'p',
    finishedToKeep: 10,
    logger,
    now: Date.now,
  });
  const submit = (more: Partial<SubmitInput>) =>
    service.submit({
      ...{ project: 'p', spider: 's', version: undefined, jobId: undefined, priority: 0 },
      ...{ settings: [], args: [], tags: undefined },
      ...more,
    });
  return { service, policies, submit };
}

/** Rejects with exactly this code and these details, in words that are not a Python exception's. */
async function refuses(p: Promise<unknown>, code: ErrorCode, details: ErrorDetails) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof CatalogueError, String(e));
    assert.deepEqual([e.code, e.details], [code, details]);
    assert.doesNotMatch(e.message, /^[A-Za-z]*Error: /);
    return true;
  });
}

testEachStore('submit refuses with catalogue codes and the facts as details', {}, async (t, store) => {
  const { submit, policies } = await jobCore(t, store);
  await refuses(submit({ project: 'nope' }), 'PROJECT_NOT_FOUND', { project: 'nope' });
  await refuses(submit({ version: 'v9' }), 'VERSION_NOT_FOUND', { project: 'p', version: 'v9' });
  await refuses(submit({ spider: 'ghost' }), 'SPIDER_NOT_FOUND', { project: 'p', spider: 'ghost' });
  await refuses(submit({ args: [['_job', 'x']] }), 'BAD_REQUEST', {
    rule: 'reserved_argument',
    field: 'args',
    argument: '_job',
  });
  await refuses(submit({ jobId: '../x' }), 'BAD_REQUEST', { rule: 'path_component', field: 'jobid', value: '../x' });

  await policies.put('p', 's', { ...NO_POLICY, uniqueArgs: ['k'] }, 1);
  const held = await submit({ jobId: 'first', args: [['k', '1']] });
  await refuses(submit({ args: [['k', '1']] }), 'DUPLICATE_JOB', {
    project: 'p',
    spider: 's',
    uniqueArgs: ['k'],
    jobId: held.jobId,
    state: 'pending',
  });
});

testEachStore('cancel refuses an unknown signal and an unknown project with details', {}, async (t, store) => {
  const { service } = await jobCore(t, store);
  await refuses(service.cancel('p', 'j', 'BOOM'), 'BAD_REQUEST', { rule: 'signal', field: 'signal', value: 'BOOM' });
  await refuses(service.cancel('nope', 'j', undefined), 'PROJECT_NOT_FOUND', { project: 'nope' });
});
