/**
 * Samples the CPU and memory of running crawls with pidusage, all pids in one call.
 *
 * pidusage keeps per-pid history (the previous CPU times, and on Linux an open /proc/<pid>/stat descriptor) so
 * that cpu% covers the time since the previous sample. Clearing it each call (pidusage.clear) would turn cpu%
 * into "since the process started", so we keep it, and rely on its own expiry instead: an entry is dropped (and
 * its descriptor closed) once its pid has not been asked about for `maxage` (60 s by default). So a pid must
 * stop being asked about once it is gone: we remember runs whose process has vanished and never query them
 * again, even while the caller still lists them (e.g. until the supervisor records the exit).
 */
import type { JobMetric } from '@scrapyard/protocol';
import pidusage from 'pidusage';

interface Run {
  runId: string;
  pid: number;
}

/** `runId:pid` of runs seen without a process; pruned to the runs of the latest call, so it stays small. */
let vanished = new Set<string>();

const keyOf = (r: Run) => `${r.runId}:${r.pid}`;

/** Stats of each live pid. Dead pids are absent: never a rejection. */
async function statsOf(pids: number[]): Promise<Map<number, pidusage.Status>> {
  const found = new Map<number, pidusage.Status>();
  try {
    // For several pids pidusage leaves dead ones out (or undefined) and resolves; for one it rejects.
    const byPid = await pidusage(pids);
    for (const pid of pids) {
      const s = byPid[pid];
      if (s) found.set(pid, s);
    }
  } catch {
    // One dead pid can fail a whole batch (a lone pid always; `ps` exits 1 on some platforms): ask one by one.
    if (pids.length > 1) {
      const each = await Promise.allSettled(pids.map((pid) => pidusage(pid)));
      each.forEach((r, i) => {
        const pid = pids[i];
        if (r.status === 'fulfilled' && r.value && pid !== undefined) found.set(pid, r.value);
      });
    }
  }
  return found;
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const finite = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);

/** One sample per live run (cpu in percent of one core, may exceed 100); runs whose process is gone are left out. */
export async function sampleJobs(runs: readonly Run[]): Promise<JobMetric[]> {
  const current = new Set(runs.map(keyOf));
  vanished = new Set([...vanished].filter((k) => current.has(k)));
  const live = runs.filter((r) => Number.isInteger(r.pid) && r.pid > 0 && !vanished.has(keyOf(r)));
  if (live.length === 0) return [];

  const stats = await statsOf([...new Set(live.map((r) => r.pid))]);
  const out: JobMetric[] = [];
  for (const r of live) {
    const s = stats.get(r.pid);
    if (!s) {
      // Only a confirmed exit is remembered: a transient read error (EMFILE…) must not silence a live crawl.
      if (!exists(r.pid)) vanished.add(keyOf(r));
      continue;
    }
    out.push({ runId: r.runId, cpuPercent: finite(s.cpu), rssBytes: finite(s.memory) });
  }
  return out;
}
