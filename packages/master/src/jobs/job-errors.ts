/**
 * What the job core refuses, in our own words, with the facts as details. The Scrapyd adapter says each in
 * Scrapyd's text (routes/scrapyd/scrapyd-error.ts); the REST API answers them as they are.
 */
import { CatalogueError } from '@scrapyard/protocol';

/** A spider argument the runner claims for itself: `rule: 'reserved_argument'`. */
export const reservedArgument = (argument: string) =>
  new CatalogueError('BAD_REQUEST', `'${argument}' is reserved by the daemon and can't be a spider argument`, {
    rule: 'reserved_argument',
    field: 'args',
    argument,
  });

/** A cancel signal that is neither one of Scrapyd's names nor a number: `rule: 'signal'`. */
export const badSignal = (value: string) =>
  new CatalogueError('BAD_REQUEST', `signal '${value}' is not one of HUP, INT, KILL, STOP, TERM or a signal number`, {
    rule: 'signal',
    field: 'signal',
    value,
  });

/** Another pending or running job holds the unique key (policy uniqueArgs). */
export const duplicateJob = (o: {
  project: string;
  spider: string;
  uniqueArgs: string[];
  heldBy: { jobId: string; state: string } | undefined;
}) =>
  new CatalogueError(
    'DUPLICATE_JOB',
    `job ${o.heldBy?.jobId ?? '?'} (${o.heldBy?.state ?? 'active'}) already has this unique key (spider ${o.spider}${o.uniqueArgs.length ? `, ${o.uniqueArgs.join(', ')}` : ''}); a second one is refused`,
    {
      project: o.project,
      spider: o.spider,
      uniqueArgs: o.uniqueArgs,
      jobId: o.heldBy?.jobId ?? null,
      state: o.heldBy?.state ?? null,
    },
  );
