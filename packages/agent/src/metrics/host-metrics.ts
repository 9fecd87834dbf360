/**
 * Samples this host's resource use for the heartbeat: CPU, load, memory, the data dir's disk and network rates.
 * Each call costs a few file reads (the first one about half a second, while systeminformation measures CPU).
 */
import { readFile, statfs } from 'node:fs/promises';
import { cpus, availableParallelism, loadavg, networkInterfaces } from 'node:os';
import type { HostMetrics } from '@scrapyard/protocol';
import si from 'systeminformation';

/** A finite, non-negative number, else 0: library fields can be null, -1 (unknown) or NaN on some platforms. */
function nonNegative(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Interfaces whose addresses are all internal (loopback). Their traffic never leaves the host, and counting it
 * would double every local connection (the master's socket in a one-host setup, a local proxy).
 */
function loopbackInterfaces(): Set<string> {
  const names = new Set<string>();
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (addresses && addresses.length > 0 && addresses.every((a) => a.internal)) names.add(name);
  }
  return names;
}

/** Byte counters per interface from /proc/net/dev (Linux), or null where it doesn't exist. */
async function procNetDev(): Promise<Map<string, { rx: number; tx: number }> | null> {
  let text: string;
  try {
    text = await readFile('/proc/net/dev', 'utf8');
  } catch {
    return null;
  }
  const out = new Map<string, { rx: number; tx: number }>();
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    out.set(m[1]!, { rx: f[0] ?? 0, tx: f[8] ?? 0 });
  }
  return out;
}

let previous: { at: number; rx: number; tx: number } | undefined;

/**
 * Network rates since the previous sample. On Linux from /proc/net/dev: si.networkStats runs several execSync
 * calls per sample, which would block the agent's event loop (and the standalone master's) every few seconds.
 */
async function networkRates(): Promise<{ rx: number; tx: number }> {
  const loopback = loopbackInterfaces();
  const counters = await procNetDev();
  if (counters) {
    let rx = 0;
    let tx = 0;
    for (const [name, c] of counters) {
      if (loopback.has(name)) continue;
      rx += c.rx;
      tx += c.tx;
    }
    const now = Date.now();
    const prev = previous;
    previous = { at: now, rx, tx };
    if (!prev || now <= prev.at) return { rx: 0, tx: 0 };
    const secs = (now - prev.at) / 1000;
    return { rx: nonNegative((rx - prev.rx) / secs), tx: nonNegative((tx - prev.tx) / secs) };
  }
  // The first call for an interface has no previous counters, so its rates are null: reported as 0.
  const stats = await si.networkStats('*');
  let rx = 0;
  let tx = 0;
  for (const s of stats) {
    if (loopback.has(s.iface)) continue;
    rx += nonNegative(s.rx_sec);
    tx += nonNegative(s.tx_sec);
  }
  return { rx, tx };
}

/**
 * Used and total bytes of the file system holding `dir`, as df reports them. statfs(2) is one syscall, whereas
 * si.fsSize spawns `df` and lists every mount; we only want the one the agent's data lives on.
 */
async function diskUsage(dir: string): Promise<{ used: number; total: number }> {
  const s = await statfs(dir);
  return { used: nonNegative((s.blocks - s.bfree) * s.bsize), total: nonNegative(s.blocks * s.bsize) };
}

export interface HostSamplerOptions {
  /** The agent's data dir: disk figures are those of the file system holding it (it must exist). */
  dataDir: string;
}

export class HostSampler {
  readonly #dataDir: string;

  constructor(opts: HostSamplerOptions) {
    this.#dataDir = opts.dataDir;
  }

  /** One sample; rates are per second since the previous call (0 on the first). Rejects if statfs fails. */
  async sample(): Promise<HostMetrics> {
    const [load, mem, net, disk] = await Promise.all([
      si.currentLoad(),
      si.mem(),
      networkRates(),
      diskUsage(this.#dataDir),
    ]);
    const [load1, load5, load15] = loadavg();
    return {
      at: Date.now(),
      cpuPercent: Math.min(100, nonNegative(load.currentLoad)),
      // os.cpus() is empty on some platforms and sandboxes; the schema (and load per CPU) needs at least one.
      cpus: cpus().length || availableParallelism(),
      load1: nonNegative(load1),
      load5: nonNegative(load5),
      load15: nonNegative(load15),
      // `active` rather than `used`: on Linux `used` counts reclaimable page cache, which is not pressure.
      memUsedBytes: nonNegative(mem.active),
      memTotalBytes: nonNegative(mem.total),
      diskUsedBytes: disk.used,
      diskTotalBytes: disk.total,
      netRxBytesPerSec: net.rx,
      netTxBytesPerSec: net.tx,
    };
  }
}
