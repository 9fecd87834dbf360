// The live stats channel against real Unix sockets: what a crawl (or anything else that can reach the socket)
// sends is validated and bounded, only the run's own crawl (which holds its token) can report for it, and the final
// stats come from the file the crawl wrote at close.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import pino from 'pino';
import type { JobStats } from '@scrapyard/protocol';
import { runFiles } from './crawl-command.js';
import { StatsChannel } from './stats-channel.js';
import { parseReport } from './stats-report.js';

const RUN = 'a'.repeat(32);

function report(items: number, extra: Record<string, unknown> = {}) {
  return {
    v: 1,
    at: 1_000 + items,
    final: false,
    stats: { item_scraped_count: items, finish_reason: null, ...extra },
    exceptions: { total: 0, byType: {}, first: [], last: [] },
  };
}

/** Sends bytes as one connection, resolving once the agent closed its side. */
function send(path: string, data: Buffer | string): Promise<void> {
  return new Promise((resolve) => {
    const sock = connect(path, () => sock.end(data));
    sock.on('error', () => resolve());
    sock.on('close', () => resolve());
    sock.resume();
  });
}

function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'sy-stats-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files = runFiles(dir, RUN);
  const forwarded: JobStats[] = [];
  let clock = 0;
  const channel = new StatsChannel({
    identity: null,
    logger: pino({ level: 'silent' }),
    forward: (s) => forwarded.push(s),
    now: () => clock,
  });
  t.after(() => channel.stop());
  return { files, forwarded, channel, tick: (ms: number) => (clock += ms) };
}

async function until(what: string, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

void test('reports are forwarded; garbage, oversized and too frequent ones are dropped', async (t) => {
  const { files, forwarded, channel, tick } = setup(t);
  mkdirSync(files.dir, { recursive: true });
  const token = channel.open(RUN, files, { fresh: true })!;
  const signed = (body: string | Buffer) => Buffer.concat([Buffer.from(`${token}\n`), Buffer.from(body)]);
  await until('the socket', () => {
    try {
      readFileSync(files.statsSocket);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  });

  tick(1_000);
  await send(files.statsSocket, signed(JSON.stringify(report(1))));
  await until('the first report', () => forwarded.length === 1);
  assert.equal(forwarded[0]!.runId, RUN);
  assert.equal(forwarded[0]!.final, false);
  assert.equal(forwarded[0]!.source, 'live');
  assert.equal(forwarded[0]!.stats.item_scraped_count, 1);

  tick(1_000);
  await send(files.statsSocket, signed('not json'));
  await send(files.statsSocket, signed(JSON.stringify({ ...report(2), v: 2 })));
  await send(files.statsSocket, signed(JSON.stringify(report(2)).slice(0, 20))); // truncated (a partial send)
  await send(files.statsSocket, signed(Buffer.alloc(600 * 1024, 0x20))); // over the cap
  const tooMany = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`k${i}`, i]));
  await send(files.statsSocket, signed(JSON.stringify(report(2, tooMany))));
  await send(files.statsSocket, signed(JSON.stringify(report(3))));
  await until('the valid report after the garbage', () => forwarded.length === 2);
  assert.equal(forwarded[1]!.stats.item_scraped_count, 3);

  // Within the minimum gap: dropped (the next report carries the same counters).
  await send(files.statsSocket, signed(JSON.stringify(report(4))));
  tick(1_000);
  await send(files.statsSocket, signed(JSON.stringify(report(5))));
  await until('the next report', () => forwarded.length === 3);
  assert.equal(forwarded[2]!.stats.item_scraped_count, 5);
  assert.equal(channel.latest(RUN, files, false)?.stats.item_scraped_count, 5);
});

void test('final stats: the closing dump, else the last live report (saved for a restarted agent)', async (t) => {
  const { files, forwarded, channel } = setup(t);
  mkdirSync(files.dir, { recursive: true });
  writeFileSync(files.stats, JSON.stringify({ ...report(7, { finish_reason: 'finished' }), final: true }));
  const final = channel.ended(RUN, files)!;
  assert.equal(final.final, true);
  assert.equal(final.source, 'dump');
  assert.equal(final.stats.finish_reason, 'finished');
  assert.deepEqual(forwarded, [final]);

  // A crawl killed before its dump: its last live report becomes final, and survives an agent restart.
  const other = 'b'.repeat(32);
  const otherFiles = runFiles(join(files.dir, '..'), other);
  mkdirSync(otherFiles.dir, { recursive: true });
  const otherToken = channel.open(other, otherFiles, { fresh: true })!;
  await until('the socket', () => {
    try {
      readFileSync(otherFiles.statsSocket);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  });
  await send(otherFiles.statsSocket, `${otherToken}\n${JSON.stringify(report(3))}`);
  await until('the live report', () => forwarded.length === 2);
  const died = channel.ended(other, otherFiles)!;
  assert.deepEqual([died.final, died.source, died.stats.item_scraped_count], [true, 'live', 3]);
  const restarted = new StatsChannel({ identity: null, logger: pino({ level: 'silent' }), forward: () => undefined });
  assert.deepEqual(restarted.latest(other, otherFiles, true), died);
  assert.equal(restarted.latest(other, otherFiles, false), null, 'a running crawl has no final stats yet');

  // A stats file that is empty (made for a crawl user, never written) or garbage is no dump.
  writeFileSync(files.stats, '');
  assert.equal(parseReport(readFileSync(files.stats)), null);
  const none = 'c'.repeat(32);
  const noneFiles = runFiles(join(files.dir, '..'), none);
  mkdirSync(noneFiles.dir, { recursive: true });
  writeFileSync(noneFiles.stats, '{"v":1');
  assert.equal(channel.ended(none, noneFiles), null);
});

void test("another run's crawl cannot report for a run: every report must carry the run's own token", async (t) => {
  const { files, forwarded, channel, tick } = setup(t);
  const victim = files;
  const attacker = runFiles(join(files.dir, '..'), 'd'.repeat(32));
  mkdirSync(victim.dir, { recursive: true });
  mkdirSync(attacker.dir, { recursive: true });
  const victimToken = channel.open(RUN, victim, { fresh: true })!;
  const attackerToken = channel.open('d'.repeat(32), attacker, { fresh: true })!;
  assert.match(victimToken, /^[0-9a-f]{64}$/);
  assert.notEqual(victimToken, attackerToken);
  assert.equal(statSync(victim.statsToken).mode & 0o777, 0o600, 'the agent keeps its copy to itself');
  await until('the sockets', () => {
    try {
      return statSync(victim.statsSocket).isSocket() && statSync(attacker.statsSocket).isSocket();
    } catch {
      return false;
    }
  });

  // The attacker knows the victim's socket path (run ids are in /proc/*/cmdline) and sends a valid report: with
  // its own token, with none, with a guessed one. None of it counts for the victim.
  const forged = JSON.stringify(report(999_999));
  tick(1_000);
  await send(victim.statsSocket, `${attackerToken}\n${forged}`);
  await send(victim.statsSocket, forged);
  await send(victim.statsSocket, `${'0'.repeat(64)}\n${forged}`);
  await send(victim.statsSocket, `${victimToken.toUpperCase()}\n${forged}`);
  // The victim's own report after them is the first (and only) one forwarded.
  await send(victim.statsSocket, `${victimToken}\n${JSON.stringify(report(2))}`);
  await until('the victim report', () => forwarded.length === 1);
  assert.deepEqual([forwarded[0]!.runId, forwarded[0]!.stats.item_scraped_count], [RUN, 2]);

  // A restarted agent re-adopting the run takes the token from the run's file: the crawl keeps reporting.
  channel.stop();
  const restarted = new StatsChannel({
    identity: null,
    logger: pino({ level: 'silent' }),
    forward: (s) => forwarded.push(s),
  });
  t.after(() => restarted.stop());
  assert.equal(restarted.open(RUN, victim, { fresh: false }), victimToken);
  await until('the socket again', () => {
    try {
      return statSync(victim.statsSocket).isSocket();
    } catch {
      return false;
    }
  });
  await send(victim.statsSocket, `${attackerToken}\n${forged}`);
  await send(victim.statsSocket, `${victimToken}\n${JSON.stringify(report(3))}`);
  await until('the report after the restart', () => forwarded.length === 2);
  assert.equal(forwarded[1]!.stats.item_scraped_count, 3);
  // A run without a token file (started by an older agent) gets no live reports at all.
  rmSync(victim.statsToken);
  assert.equal(restarted.open(RUN, victim, { fresh: false }), null);
});
