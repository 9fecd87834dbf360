/**
 * Identifies a process across agent restarts: a pid alone can be reused, so we also keep the process start time
 * from /proc/<pid>/stat (field 22, clock ticks since boot). Off Linux we fall back to the pid alone.
 */
import { readFileSync } from 'node:fs';

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

export function processStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/** True when a process with this pid exists and, if we know it, started at the same time. */
export function isSameProcessAlive(pid: number, startTime: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const fields = statFields(pid);
  // A zombie has exited; where nothing reaps orphans (some containers) it would otherwise look alive forever.
  if (fields?.[0] === 'Z') return false;
  if (startTime === null || fields === null) return true;
  return fields[19] === startTime;
}
