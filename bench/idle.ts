/**
 * The `idle` scenario: RSS of the master with its embedded agent started as users start it (fresh data dir,
 * SQLite, nothing configured), a second after it answers and its agent has connected; beside the floor of the
 * libraries it holds (bench/idle-floor.mjs) and bare Node, measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jsonChild, stopChild } from './cluster.js';
import { MASTER_NODE_FLAGS, ROOT, median, rssMb, startMaster, stop } from './lib.js';

/** Settling time before a sample, as the makespan scenario's idle figure. */
const SETTLE_MS = 1_000;

async function floorRss(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-idle-floor-'));
  // The same V8 flags as the shipped shim, so both sides run the same runtime configuration.
  const floor = jsonChild(process.execPath, [...MASTER_NODE_FLAGS, join(ROOT, 'bench/idle-floor.mjs'), dir]);
  try {
    await floor.next('line', 60_000);
    await sleep(SETTLE_MS);
    return rssMb(floor.proc.pid!);
  } finally {
    await stopChild(floor);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bareNodeRss(): Promise<number> {
  const bare = jsonChild(process.execPath, ['-e', 'console.log("{}"); setInterval(() => {}, 1000)']);
  try {
    await bare.next('line', 60_000);
    await sleep(SETTLE_MS);
    return rssMb(bare.proc.pid!);
  } finally {
    await stopChild(bare);
  }
}

export async function idleRss(runs: number) {
  const ours: number[] = [];
  const floor: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-idle-'));
    const m = await startMaster(dataDir, {});
    try {
      await sleep(SETTLE_MS);
      ours.push(rssMb(m.proc.pid!));
    } finally {
      await stop(m);
      rmSync(dataDir, { recursive: true, force: true });
    }
    floor.push(await floorRss());
    bare.push(await bareNodeRss());
  }
  return { ours: median(ours), floor: median(floor), bare: median(bare) };
}
