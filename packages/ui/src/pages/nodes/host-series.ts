/**
 * A node's host samples as chart series (pure): one x axis in seconds (uPlot's unit) and, per chart, the series
 * it draws. Percentages come from used/total (null where a total is 0: no line rather than a false 0 %). Long
 * windows are thinned to at most `maxPoints` by keeping every n-th sample (the newest always).
 */
import type { HostMetrics } from '@scrapyard/protocol';

export interface Series {
  label: string;
  values: (number | null)[];
}

export interface HostChart {
  id: 'cpu' | 'memory' | 'load' | 'disk' | 'network';
  title: string;
  unit: 'percent' | 'load' | 'bytesPerSec';
  series: Series[];
}

export interface HostCharts {
  /** Sample times, epoch seconds, ascending. */
  x: number[];
  charts: HostChart[];
}

const pct = (used: number, total: number) => (total > 0 ? (used / total) * 100 : null);

export function thin<T>(samples: readonly T[], maxPoints: number): T[] {
  if (samples.length <= maxPoints) return samples.slice();
  const step = Math.ceil(samples.length / maxPoints);
  const out: T[] = [];
  // Counted from the newest so the last sample (the current state) is always drawn.
  for (let i = samples.length - 1; i >= 0; i -= step) out.push(samples[i]!);
  return out.reverse();
}

export function hostCharts(samples: readonly HostMetrics[], maxPoints = 1_500): HostCharts {
  const s = thin(samples, maxPoints);
  const col = (f: (m: HostMetrics) => number | null) => s.map(f);
  return {
    x: col((m) => m.at / 1000) as number[],
    charts: [
      { id: 'cpu', title: 'CPU', unit: 'percent', series: [{ label: 'busy', values: col((m) => m.cpuPercent) }] },
      {
        id: 'memory',
        title: 'Memory',
        unit: 'percent',
        series: [{ label: 'used', values: col((m) => pct(m.memUsedBytes, m.memTotalBytes)) }],
      },
      {
        id: 'load',
        title: 'Load',
        unit: 'load',
        series: [
          { label: '1 min', values: col((m) => m.load1) },
          { label: '5 min', values: col((m) => m.load5) },
          { label: '15 min', values: col((m) => m.load15) },
        ],
      },
      {
        id: 'disk',
        title: 'Disk (data dir)',
        unit: 'percent',
        series: [{ label: 'used', values: col((m) => pct(m.diskUsedBytes, m.diskTotalBytes)) }],
      },
      {
        id: 'network',
        title: 'Network',
        unit: 'bytesPerSec',
        series: [
          { label: 'received', values: col((m) => m.netRxBytesPerSec) },
          { label: 'sent', values: col((m) => m.netTxBytesPerSec) },
        ],
      },
    ],
  };
}

/**
 * The samples after a live one (its node's `node.host`): appended when newer than the last, and those that fell
 * out of the window (older than the new sample by more than `windowMs`) dropped. The same array when nothing
 * changes (a sample already held, or one older than the newest: the stream and a fetch crossed).
 */
export function appendSample(
  samples: readonly HostMetrics[],
  s: HostMetrics,
  windowMs: number,
): readonly HostMetrics[] {
  const last = samples.at(-1);
  if (last !== undefined && s.at <= last.at) return samples;
  const from = s.at - windowMs;
  const keep = samples.findIndex((m) => m.at >= from);
  return [...(keep < 0 ? [] : samples.slice(keep)), s];
}
