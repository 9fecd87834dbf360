/** Schedules: the scheduler that fires them and the service behind the REST API and the CLI. */
import type { Logger } from 'pino';
import type { MasterConfig } from '../config.js';
import type { DomainEvents } from '../events/domain-events.js';
import { ScheduleService } from '../schedules/schedule-service.js';
import { Scheduler } from '../schedules/scheduler.js';
import type { JobCore } from './job-core.js';
import type { Storage } from './storage.js';

export interface SchedulesDeps {
  config: MasterConfig;
  logger: Logger;
  now: () => number;
  storage: Storage;
  events: DomainEvents;
  core: JobCore;
}

export function createSchedules({ config, logger, now, storage, events, core }: SchedulesDeps) {
  const scheduler = new Scheduler({
    repo: storage.schedules,
    jobs: core.jobs,
    events,
    firesToKeep: config.scheduleFiresToKeep,
    maxPending: config.maxPendingPerSchedule,
    logger,
    now,
  });
  const service = new ScheduleService({
    repo: storage.schedules,
    scheduler,
    jobs: core.jobs,
    maxSchedules: config.maxSchedules,
    maxParams: config.maxScheduleParams,
    minIntervalSeconds: config.minScheduleIntervalSeconds,
    now,
    events,
  });
  return {
    scheduler,
    service,
    start: () => scheduler.start(),
    async stop(): Promise<void> {
      scheduler.stop();
      await scheduler.idle();
    },
  };
}
export type Schedules = ReturnType<typeof createSchedules>;
