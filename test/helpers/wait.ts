/** Polls a condition until it holds; a timeout names what never happened. */
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: { timeoutMs?: number; intervalMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${opts.timeoutMs ?? 30_000} ms waiting for: ${opts.what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await sleep(opts.intervalMs ?? 100);
  }
}
