/**
 * Live tail of a job's log or items file as Server-Sent Events:
 * `GET /api/v1/jobs/:jobId/log/stream?project=P&stream=log|items&offset=N` (or `Last-Event-ID: N`, which wins).
 *
 * Each `event: chunk` carries `id: <end byte offset>` and `data: {"offset":<start byte offset>,"text":"…"}`, first
 * for what the file already holds from the offset, then after every `job.output` event of the job's run. Pieces are at most
 * 64 KiB and never split a UTF-8 character (a piece with more data behind it ends on its last newline when it has
 * one). When the job is finished and everything up to the file's size was sent: `event: end` with
 * `data: {"state":"finished","outcome":…}`, and the response ends. A job that disappears while followed (a
 * cancelled pending job is deleted) ends the same way with `{"state":"gone","outcome":null}`. The job is read again
 * after its `job.finished`, `job.requeued`, `job.cancelled` and `job.started` events (tail-followers.ts), never
 * polled. A `: keepalive` comment goes out every 15 s. At most `maxTails` tails are open at once (each holds a
 * socket, a file and a timer): past that, 503 OVERLOADED with Retry-After. A job of a project the caller may not
 * read is 404 as an unknown one (projectsVisible, auth/access.ts); the tail then follows only that job's run.
 * The caller's access is watched (auth/stream-access.ts: after an `access.changed` event about it, and every
 * keepalive interval, as an expiry publishes no event): once the token is revoked or expired, the session ended,
 * the user disabled or deleted, or the grant on the job's project gone, the response ends without an `end` event
 * (a reconnect is refused).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { JobId, ProjectName, Stream } from '@scrapyard/protocol';
import type { DomainEvents } from '../../events/domain-events.js';
import type { ProjectFilter } from '../../db/repos/project-filter.js';
import { jobFilePath, type JobFilesConfig } from '../../jobs/job-files.js';
import { inQuery, needs } from '../../auth/access-rules.js';
import { StreamAccess, type WatchedStream } from '../../auth/stream-access.js';
import { ApiError } from './api-error.js';
import { parseOr400 } from '@scrapyard/protocol';
import { apiErrorHandler } from './errors.js';
import { TailFollowers, type Follower } from './tail-followers.js';
import { cutPoint } from './utf8-cut.js';
import { startEventStream } from './event-stream-reply.js';

/** What the tail needs to know about a job (a `JobRow` fits). */
export interface LogStreamJob {
  project: string;
  spider: string;
  job_id: string;
  run_id: string;
  state: 'pending' | 'running' | 'finished';
  outcome: string | null;
}

export interface LogStreamOptions {
  /** The domain events: `job.output` drives the tail, the job's own events end it. */
  events: DomainEvents;
  /** The same logs/items dirs the sink's writers use (paths must match exactly). */
  files: JobFilesConfig;
  /**
   * The job's latest run, by job id and, when given, project; undefined if unknown. Called once per request,
   * then (with the found job's project) once the tail follows it and after each event about the job. `visible`
   * (the request's) limits the first lookup; the later ones name the found job's project.
   */
  findJob: (jobId: string, project: string | undefined, visible?: ProjectFilter) => Promise<LogStreamJob | undefined>;
  /** The projects a request may read; absent: all (a master without project scoping). */
  visible?: (req: FastifyRequest) => ProjectFilter;
  /**
   * The request's access on the project, watched while the tail is open (AccessTable.streamAccess); absent: never
   * checked again (a master without access control).
   */
  streamAccess?: (req: FastifyRequest, project: string) => Pick<WatchedStream, 'principal' | 'reidentify' | 'allows'>;
  /** Interval of `: keepalive` comments; default 15 000. */
  keepaliveMs?: number;
  /** Most tails open at once (max_live_tails); default 256. */
  maxTails?: number;
}

/** Most bytes read (and sent in one event) at a time. */
export const LOG_STREAM_PIECE_BYTES = 64 * 1024;

const ByteOffset = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a non-negative integer')
  .transform(Number);
const Params = z.object({ jobId: JobId });
const Query = z.object({
  project: ProjectName.optional(),
  stream: Stream.default('log'),
  offset: ByteOffset.default(0),
});

/** Fastify plugin (register it as is; it declares its full path). */
export async function logStreamRoutes(app: FastifyInstance, opts: LogStreamOptions): Promise<void> {
  const keepaliveMs = opts.keepaliveMs ?? 15_000;
  const followers = new TailFollowers(opts.events);
  const maxTails = opts.maxTails ?? 256;
  // Slots are taken before the first await, so concurrent requests can't overshoot the cap.
  let taken = 0;
  app.setErrorHandler(apiErrorHandler);
  // Open tails, ended before the server closes (it would otherwise wait for them forever).
  const active = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const stop of [...active]) stop();
  });
  const access = new StreamAccess({ events: opts.events, logger: app.log });
  app.addHook('onClose', async () => access.stop());

  app.get('/api/v1/jobs/:jobId/log/stream', { config: needs('read', inQuery()) }, async (req, reply) => {
    if (taken >= maxTails) {
      void reply.header('retry-after', '5');
      throw new ApiError('OVERLOADED', `too many live tails are open (max_live_tails = ${maxTails}); retry later`);
    }
    taken++;
    let handedOver = false;
    try {
      handedOver = await start(req, reply);
    } finally {
      if (!handedOver) taken--;
    }
  });

  /** Validates, finds the job and starts its tail; true once the tail owns the slot (and frees it at its end). */
  async function start(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const { jobId } = parseOr400(Params, req.params, 'path');
    const { project, stream, offset: fromQuery } = parseOr400(Query, req.query, 'query');
    const lastEventId = req.headers['last-event-id'];
    const offset = lastEventId === undefined ? fromQuery : parseOr400(ByteOffset, lastEventId, 'Last-Event-ID');

    const job = await opts.findJob(jobId, project, opts.visible?.(req) ?? '*');
    if (!job) {
      throw new ApiError('NOT_FOUND', `no job ${jobId}${project === undefined ? '' : ` in project ${project}`}`);
    }
    const path = jobFilePath(opts.files, stream, job.project, job.spider, job.job_id);
    if (path === null) {
      throw new ApiError(
        'NOT_FOUND',
        stream === 'log'
          ? 'logs are disabled on this master (logs_dir is empty)'
          : 'items are not kept on this master (items_dir is empty or a URL)',
      );
    }

    const res = startEventStream(reply);

    const tail = new Tail(res, path, stream, offset, job, opts, followers, keepaliveMs);
    active.add(tail.stop);
    const watched = opts.streamAccess?.(req, job.project);
    if (watched) tail.onStop(access.watch({ ...watched, end: tail.stop }, keepaliveMs));
    tail
      .run()
      .catch((e: unknown) => req.log.warn({ err: e, jobId, stream }, 'log stream failed'))
      .finally(() => {
        active.delete(tail.stop);
        tail.stop();
        taken--;
      });
    return true;
  }
}

/** One client's tail of one file. */
class Tail implements Follower {
  #closed = false;
  #signaled = false;
  /** An event about the job came: read it again (true at first: it may have changed before the subscription). */
  #changed = true;
  #wake: (() => void) | null = null;
  #buf: Buffer | null = null;
  readonly #keepalive: NodeJS.Timeout;
  readonly #onStop: (() => void)[] = [];
  readonly project: string;
  readonly jobId: string;

  constructor(
    private readonly res: ServerResponse,
    private readonly path: string,
    readonly stream: 'log' | 'items',
    private sent: number,
    private job: LogStreamJob | undefined,
    private readonly opts: LogStreamOptions,
    private readonly followers: TailFollowers,
    keepaliveMs: number,
  ) {
    this.project = job?.project ?? '';
    this.jobId = job?.job_id ?? '';
    // Follow before the first read and the job's second look, so nothing appended or ended meanwhile is missed.
    if (job) followers.follow(this, job.run_id);
    this.#keepalive = setInterval(() => {
      if (!this.#closed) res.write(': keepalive\n\n');
    }, keepaliveMs);
    res.on('close', this.stop);
    res.on('error', this.stop);
  }

  /** Ends the tail (idempotent): on disconnect, server close, or when done. */
  readonly stop = (): void => {
    if (this.#closed) return;
    this.#closed = true;
    this.followers.unfollow(this);
    clearInterval(this.#keepalive);
    for (const f of this.#onStop.splice(0)) f();
    this.#wake?.();
    if (!this.res.writableEnded) this.res.end();
  };

  async run(): Promise<void> {
    while (!this.#closed) {
      if (this.#changed && this.job) {
        this.#changed = false;
        this.job = await this.opts.findJob(this.job.job_id, this.job.project);
        if (this.job && !this.#closed) this.followers.follow(this, this.job.run_id);
      }
      if (this.job === undefined || this.job.state === 'finished') {
        await this.#drain(true);
        const end = this.job ? { state: 'finished', outcome: this.job.outcome } : { state: 'gone', outcome: null };
        if (!this.#closed) await this.#write(`event: end\ndata: ${JSON.stringify(end)}\n\n`);
        return;
      }
      this.#signaled = false;
      await this.#drain(false);
      if (!this.#signaled && !this.#changed && !this.#closed) await this.#sleep();
    }
  }

  output(): void {
    this.#signaled = true;
    this.#wake?.();
  }

  jobChanged(): void {
    this.#changed = true;
    this.#wake?.();
  }

  /** Runs `f` when the tail stops (at once if it has). */
  onStop(f: () => void): void {
    if (this.#closed) f();
    else this.#onStop.push(f);
  }

  /** Waits for an event about the run or the job, or the end of the tail. */
  #sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = () => {
        this.#wake = null;
        resolve();
      };
    });
  }

  /** Sends what the file holds past `sent`; `final` also sends a trailing incomplete UTF-8 sequence. */
  async #drain(final: boolean): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing written yet
      throw e;
    }
    try {
      const size = (await fh.stat()).size;
      const buf = (this.#buf ??= Buffer.allocUnsafe(LOG_STREAM_PIECE_BYTES));
      while (!this.#closed && this.sent < size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - this.sent), this.sent);
        if (bytesRead === 0) return; // truncated under us
        const atEnd = this.sent + bytesRead >= size;
        const cut = cutPoint(buf, bytesRead, atEnd, final);
        if (cut === 0) return; // only part of a character so far: wait for the rest
        const text = buf.toString('utf8', 0, cut);
        const start = this.sent;
        this.sent += cut;
        await this.#write(`event: chunk\nid: ${this.sent}\ndata: ${JSON.stringify({ offset: start, text })}\n\n`);
      }
    } finally {
      await fh.close();
    }
  }

  /** Writes, waiting for the socket to drain when its buffer is full (a slow client must not fill memory). */
  #write(s: string): Promise<void> | void {
    if (this.#closed || this.res.write(s)) return;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }
}
