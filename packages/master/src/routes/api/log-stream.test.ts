import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import Fastify from 'fastify';
import pino from 'pino';
import type { Principal } from '../../auth/principal.js';
import { DomainEvents, type EventType, type Published } from '../../events/domain-events.js';
import { LogSink } from '../../jobs/log-sink.js';
import { jobFilePath, type JobFilesConfig } from '../../jobs/job-files.js';
import { logStreamRoutes, type LogStreamJob } from './log-stream.js';

/** The real event stream, counting the tails' live `job.output` subscriptions. */
class CountingEvents extends DomainEvents {
  subscribed = 0;
  override on<T extends EventType>(type: T, handler: (event: Published<T>) => void): () => void {
    const off = super.on(type, handler);
    if (type !== 'job.output') return off;
    this.subscribed++;
    let done = false;
    return () => {
      if (!done) this.subscribed--;
      done = true;
      off();
    };
  }
}

const STRANGER: Principal = { kind: 'anonymous' };

/** A stream access that asks `stillAllowed` at every check (the principal itself never changes). */
function askEachTime(project: string, stillAllowed: (project: string) => Promise<boolean>) {
  let allowed = true;
  return {
    principal: STRANGER,
    reidentify: async () => {
      allowed = await stillAllowed(project);
      return STRANGER;
    },
    allows: () => allowed,
  };
}

interface SseEvent {
  event?: string;
  id?: string;
  data?: string;
  comments: string[];
}

/** `found`: called as the tail's lookup of a job returns (what happens then comes before the tail follows). */
async function setup(
  t: TestContext,
  files?: Partial<JobFilesConfig>,
  found?: (jobId: string) => void,
  stillAllowed?: (project: string) => Promise<boolean>,
) {
  const dir = mkdtempSync(join(tmpdir(), 'log-stream-'));
  const cfg: JobFilesConfig = { logsDir: join(dir, 'logs'), itemsDir: join(dir, 'items'), ...files };
  const sink = new LogSink();
  const events = new CountingEvents({ logger: pino({ level: 'silent' }) });
  const jobs = new Map<string, LogStreamJob>();
  const app = Fastify();
  await app.register(logStreamRoutes, {
    events,
    files: cfg,
    findJob: async (jobId, project) => {
      const j = jobs.get(jobId);
      const copy = j && (project === undefined || j.project === project) ? { ...j } : undefined;
      found?.(jobId);
      return copy;
    },
    keepaliveMs: 150,
    ...(stillAllowed ? { streamAccess: (_req: unknown, project: string) => askEachTime(project, stillAllowed) } : {}),
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await app.close();
    sink.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });
  const addJob = (jobId: string, state: LogStreamJob['state'] = 'running') => {
    const job: LogStreamJob = {
      project: 'p',
      spider: 's',
      job_id: jobId,
      run_id: `run-${jobId}`,
      state,
      outcome: null,
    };
    jobs.set(jobId, job);
    return job;
  };
  /** Bytes of a job's stream arrive (written, then announced as the agent intake does). */
  const append = (jobId: string, data: string | Buffer, stream: 'log' | 'items' = 'log') => {
    const path = jobFilePath(cfg, stream, 'p', 's', jobId)!;
    const end = sink.write(path, sink.size(path), typeof data === 'string' ? Buffer.from(data) : data);
    events.publish({ type: 'job.output', runId: `run-${jobId}`, stream, end });
  };
  const ref = (job: LogStreamJob) => ({ jobId: job.job_id, runId: job.run_id, project: 'p', spider: 's' });
  /** The job finishes (committed, then announced). */
  const finish = (job: LogStreamJob, outcome: string) => {
    job.state = 'finished';
    job.outcome = outcome;
    const at = { endedAt: 1, startedAt: 0, exitCode: 0, reason: null };
    events.publish({
      type: 'job.finished',
      job: ref(job),
      nodeId: 'n',
      attempt: 1,
      outcome: outcome as 'failed',
      ...at,
    });
  };
  /** The pending job is removed (a cancel). */
  const remove = (job: LogStreamJob) => {
    jobs.delete(job.job_id);
    const ev = { previousState: 'pending', signal: null, why: 'cancelled' } as const;
    events.publish({ type: 'job.cancelled', job: ref(job), ...ev });
  };
  return { app, base, events, jobs, addJob, append, finish, remove };
}

/** Opens a tail and reads it event by event. */
async function open(url: string, headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let done = false;
  /** The next event or comment block; null once the server ended the response. */
  const next = async (timeoutMs = 3000): Promise<SseEvent | null> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sep = buf.indexOf('\n\n');
      if (sep >= 0) {
        const block = buf.slice(0, sep);
        buf = buf.slice(sep + 2);
        const ev: SseEvent = { comments: [] };
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) ev.comments.push(line.slice(1).trim());
          else {
            const i = line.indexOf(':');
            const field = line.slice(0, i) as 'event' | 'id' | 'data';
            ev[field] = line.slice(i + 1).replace(/^ /, '');
          }
        }
        return ev;
      }
      if (done) {
        assert.equal(buf, '', 'no partial event at the end');
        return null;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms; buffered: ${JSON.stringify(buf)}`);
      let timer: NodeJS.Timeout | undefined;
      const r = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), left);
        }),
      ]).finally(() => clearTimeout(timer));
      if (r.done) done = true;
      else buf += r.value;
    }
  };
  /** The next non-comment event. */
  const nextEvent = async (timeoutMs?: number) => {
    for (;;) {
      const ev = await next(timeoutMs);
      if (ev === null || ev.event !== undefined || ev.data !== undefined) return ev;
    }
  };
  /** Chunk events until `end`; checks ids and offsets line up. */
  const untilEnd = async (from: number) => {
    const chunks: { offset: number; text: string; id: number }[] = [];
    let at = from;
    for (;;) {
      const ev = await nextEvent();
      assert.ok(ev, 'stream ended without an end event');
      if (ev.event === 'end') {
        assert.equal(await next(), null, 'the response ends after the end event');
        return { chunks, text: chunks.map((c) => c.text).join(''), end: JSON.parse(ev.data!) as unknown };
      }
      assert.equal(ev.event, 'chunk');
      const data = JSON.parse(ev.data!) as { offset: number; text: string };
      assert.equal(data.offset, at, 'each chunk starts where the previous ended');
      at += Buffer.byteLength(data.text);
      assert.equal(Number(ev.id), at, 'id is the end byte offset');
      chunks.push({ ...data, id: Number(ev.id) });
    }
  };
  return { res, next, nextEvent, untilEnd, abort: () => ac.abort() };
}

const chunk = (ev: SseEvent | null) => {
  assert.ok(ev);
  assert.equal(ev.event, 'chunk');
  return { id: Number(ev.id), ...(JSON.parse(ev.data!) as { offset: number; text: string }) };
};

void test('existing content, then appends, then end once the job finished', async (t) => {
  const { base, events, addJob, append, finish } = await setup(t);
  const job = addJob('j1');
  append('j1', 'one\ntwo\n');
  const s = await open(`${base}/api/v1/jobs/j1/log/stream?project=p`);
  assert.equal(s.res.status, 200);
  assert.equal(s.res.headers.get('content-type'), 'text/event-stream');
  assert.equal(s.res.headers.get('cache-control'), 'no-cache');
  assert.equal(s.res.headers.get('x-accel-buffering'), 'no');
  assert.deepEqual(chunk(await s.nextEvent()), { id: 8, offset: 0, text: 'one\ntwo\n' });

  append('j1', 'thrée ✓\n');
  assert.deepEqual(chunk(await s.nextEvent()), { id: 19, offset: 8, text: 'thrée ✓\n' });
  append('j1', 'four\n');
  assert.deepEqual(chunk(await s.nextEvent()), { id: 24, offset: 19, text: 'four\n' });

  finish(job, 'finished');
  const rest = await s.untilEnd(24);
  assert.deepEqual(rest.chunks, []);
  assert.deepEqual(rest.end, { state: 'finished', outcome: 'finished' });
  await delay(20);
  assert.equal(events.subscribed, 0, 'listener removed after the end');
});

void test('output and the end that come while the tail opens are not missed', async (t) => {
  let opening = true;
  const s = await setup(t, undefined, () => {
    if (!opening) return;
    opening = false;
    // After the lookup said "running", before the tail follows the job's events.
    s.append('late', 'written meanwhile\n');
    s.finish(job, 'finished');
  });
  const job = s.addJob('late');
  const r = await (await open(`${s.base}/api/v1/jobs/late/log/stream`)).untilEnd(0);
  assert.equal(r.text, 'written meanwhile\n');
  assert.deepEqual(r.end, { state: 'finished', outcome: 'finished' });
});

void test('a character split across appends is never split in an event', async (t) => {
  const { base, addJob, append, finish } = await setup(t);
  const job = addJob('j2');
  const euro = Buffer.from('€'); // e2 82 ac
  append('j2', Buffer.concat([Buffer.from('a'), euro.subarray(0, 2)]));
  const s = await open(`${base}/api/v1/jobs/j2/log/stream`);
  assert.deepEqual(chunk(await s.nextEvent()), { id: 1, offset: 0, text: 'a' });
  append('j2', Buffer.concat([euro.subarray(2), Buffer.from('b\n')]));
  assert.deepEqual(chunk(await s.nextEvent()), { id: 6, offset: 1, text: '€b\n' });
  finish(job, 'cancelled');
  assert.deepEqual((await s.untilEnd(6)).end, { state: 'finished', outcome: 'cancelled' });
});

void test('a big file arrives in pieces of at most 64 KiB, cut on newlines, characters intact', async (t) => {
  const { base, addJob, append } = await setup(t);
  addJob('big', 'finished').outcome = 'finished';
  let content = '';
  for (let i = 0; i < 4000; i++) content += `${i} línea — 日本語 ✓ ${'x'.repeat(i % 50)}\n`;
  content += '€'.repeat(60_000); // 180 000 bytes without a newline: cuts must fall between characters
  content += '\nend without newline 🎉';
  for (let i = 0; i < content.length; i += 10_000) append('big', content.slice(i, i + 10_000));
  const s = await open(`${base}/api/v1/jobs/big/log/stream?project=p&stream=log`);
  const { chunks, text, end } = await s.untilEnd(0);
  assert.equal(text, content);
  assert.ok(!text.includes('\ufffd'));
  assert.ok(chunks.length >= Buffer.byteLength(content) / 65536);
  for (const c of chunks) assert.ok(Buffer.byteLength(c.text) <= 65536);
  const lined = chunks.filter((c) => c.id < Buffer.byteLength(content.slice(0, content.indexOf('€'))));
  assert.ok(lined.length > 1);
  for (const c of lined) assert.ok(c.text.endsWith('\n'), 'pieces with more behind them end on a newline');
  assert.deepEqual(end, { state: 'finished', outcome: 'finished' });
});

void test('resumes from ?offset= and from Last-Event-ID (which wins)', async (t) => {
  const { base, addJob, append } = await setup(t);
  addJob('r', 'finished').outcome = 'failed';
  append('r', 'abcdef\n');
  const url = `${base}/api/v1/jobs/r/log/stream?project=p`;

  let r = await (await open(`${url}&offset=3`)).untilEnd(3);
  assert.deepEqual(r.chunks, [{ offset: 3, text: 'def\n', id: 7 }]);
  assert.deepEqual(r.end, { state: 'finished', outcome: 'failed' });

  r = await (await open(`${url}&offset=1`, { 'Last-Event-ID': '5' })).untilEnd(5);
  assert.deepEqual(r.chunks, [{ offset: 5, text: 'f\n', id: 7 }]);

  r = await (await open(url, { 'Last-Event-ID': '7' })).untilEnd(7);
  assert.deepEqual(r.chunks, [], 'nothing left: only the end event');
});

void test('items stream tails the .jl file', async (t) => {
  const { base, addJob, append } = await setup(t);
  addJob('it', 'finished').outcome = 'finished';
  append('it', '{"a":1}\n', 'items');
  const r = await (await open(`${base}/api/v1/jobs/it/log/stream?stream=items`)).untilEnd(0);
  assert.equal(r.text, '{"a":1}\n');
});

void test('a pending job keeps the connection open with keepalives until data appears', async (t) => {
  const { base, addJob, append, finish } = await setup(t);
  const job = addJob('pend', 'pending');
  const s = await open(`${base}/api/v1/jobs/pend/log/stream`);
  const ka = await s.next();
  assert.deepEqual(ka, { comments: ['keepalive'] });
  job.state = 'running';
  append('pend', 'started\n');
  assert.deepEqual(chunk(await s.nextEvent()), { id: 8, offset: 0, text: 'started\n' });
  finish(job, 'finished');
  assert.deepEqual((await s.untilEnd(8)).end, { state: 'finished', outcome: 'finished' });
});

void test('a job that disappears while followed ends the stream as gone', async (t) => {
  const { base, addJob, remove } = await setup(t);
  const job = addJob('gone', 'pending');
  const s = await open(`${base}/api/v1/jobs/gone/log/stream`);
  remove(job);
  assert.deepEqual((await s.untilEnd(0)).end, { state: 'gone', outcome: null });
});

void test('a tail ends once its caller may no longer read: at an access change, and at a keepalive', async (t) => {
  const allowed = { now: true, asked: [] as string[] };
  const check = (project: string) => {
    allowed.asked.push(project);
    return Promise.resolve(allowed.now);
  };
  const { base, events, addJob, append } = await setup(t, undefined, undefined, check);
  addJob('a');
  const change = () =>
    events.publish({
      type: 'access.changed',
      entity: 'token',
      id: 't',
      name: 't',
      change: 'revoked',
      userId: null,
      summary: {},
    });
  // Still allowed: the tail goes on.
  const s = await open(`${base}/api/v1/jobs/a/log/stream`);
  change();
  append('a', 'line\n');
  assert.deepEqual(chunk(await s.nextEvent()), { id: 5, offset: 0, text: 'line\n' });
  allowed.now = false;
  const before = allowed.asked.length;
  change();
  await new Promise((resolve) => setImmediate(resolve)); // the check runs once every subscriber of the event ran
  assert.equal(allowed.asked.length, before + 1, 'checked at the event, not at the next keepalive');
  assert.equal(await s.nextEvent(), null, 'ended without an end event');
  assert.deepEqual([...new Set(allowed.asked)], ['p']);

  // No event (a token expires, a session times out): the keepalive checks again.
  allowed.now = true;
  const quiet = await open(`${base}/api/v1/jobs/a/log/stream`);
  assert.equal(chunk(await quiet.nextEvent()).text, 'line\n');
  allowed.now = false;
  assert.equal(await quiet.nextEvent(), null);
});

void test('bad input is 400, unknown jobs and disabled logs are 404', async (t) => {
  const { base, addJob } = await setup(t);
  addJob('j');
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
  };
  for (const [path, headers] of [
    ['/api/v1/jobs/j/log/stream?offset=-1', {}],
    ['/api/v1/jobs/j/log/stream?offset=1.5', {}],
    ['/api/v1/jobs/j/log/stream?offset=x', {}],
    ['/api/v1/jobs/j/log/stream?stream=stdout', {}],
    ['/api/v1/jobs/j/log/stream?project=..', {}],
    ['/api/v1/jobs/-rf/log/stream', {}],
    ['/api/v1/jobs/j/log/stream', { 'Last-Event-ID': 'abc' }],
  ] as const) {
    const r = await get(path, headers);
    assert.equal(r.status, 400, path);
    assert.equal(r.body.error.code, 'BAD_REQUEST');
    assert.ok(r.body.error.message.length > 0);
  }
  let r = await get('/api/v1/jobs/nope/log/stream');
  assert.deepEqual([r.status, r.body.error.code], [404, 'NOT_FOUND']);
  r = await get('/api/v1/jobs/j/log/stream?project=other');
  assert.deepEqual([r.status, r.body.error.code], [404, 'NOT_FOUND']);
});

void test('logs disabled or remote items are 404 with a clear message', async (t) => {
  const { base, addJob } = await setup(t, { logsDir: '', itemsDir: 's3://bucket/items' });
  addJob('j');
  let res = await fetch(`${base}/api/v1/jobs/j/log/stream`);
  assert.equal(res.status, 404);
  let body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'NOT_FOUND');
  assert.match(body.error.message, /logs are disabled/);
  res = await fetch(`${base}/api/v1/jobs/j/log/stream?stream=items`);
  assert.equal(res.status, 404);
  body = (await res.json()) as { error: { code: string; message: string } };
  assert.match(body.error.message, /items are not kept/);
});

void test('a client disconnect unsubscribes; closing the server ends open tails', async (t) => {
  const { app, base, events, addJob, append } = await setup(t);
  addJob('d');
  append('d', 'x\n');
  const s = await open(`${base}/api/v1/jobs/d/log/stream`);
  chunk(await s.nextEvent());
  assert.equal(events.subscribed, 1);
  s.abort();
  for (let i = 0; i < 100 && events.subscribed > 0; i++) await delay(10);
  assert.equal(events.subscribed, 0);

  const s2 = await open(`${base}/api/v1/jobs/d/log/stream`);
  chunk(await s2.nextEvent());
  assert.equal(events.subscribed, 1);
  await Promise.race([app.close(), delay(2000).then(() => assert.fail('app.close() hangs on an open tail'))]);
  assert.equal(events.subscribed, 0);
  assert.equal(await s2.next(), null, 'the tail ended');
});
