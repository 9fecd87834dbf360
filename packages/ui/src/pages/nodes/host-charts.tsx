/**
 * A node's host charts over a window (CPU, memory, load, disk, network), from GET /api/v1/nodes/:id/metrics, then
 * streaming: each `node.host` of the node adds its point and drops those that left the window, without a fetch.
 */
import type { HostMetrics } from '@scrapyard/protocol';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AlignedData } from 'uplot';
import { Chart } from '../../components/chart.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { useLoad } from '../../components/use-load.js';
import { formatBytes } from '../../format/numbers.js';
import { useLive } from '../../live/use-live.js';
import { appendSample, hostCharts, type HostChart } from './host-series.js';
import { metricsQuery, windowMs, type WindowId } from './metrics-window.js';
import { getNodeMetrics } from '../../api/nodes.js';

const FORMATS: Record<HostChart['unit'], (v: number) => string> = {
  percent: (v) => `${Math.round(v)} %`,
  load: (v) => v.toFixed(2),
  bytesPerSec: (v) => `${formatBytes(Math.round(v))}/s`,
};
const PERCENT: [number, number] = [0, 100];
// Distinct, with readable contrast on either background; a chart has at most three series.
const COLORS = ['#1f6feb', '#d4621b', '#2a8f3d'];

export function HostCharts({ nodeId, window, generation }: { nodeId: string; window: WindowId; generation: number }) {
  const { data, error, loading } = useLoad(
    () => getNodeMetrics(nodeId, metricsQuery(window, Date.now())),
    [nodeId, window, generation],
  );
  const [samples, setSamples] = useState<readonly HostMetrics[] | undefined>(undefined);
  useEffect(() => setSamples(data?.samples), [data]);
  useLive({
    event: (_type, e) => {
      if (e.type === 'node.host' && e.nodeId === nodeId) {
        setSamples((held) => held && appendSample(held, e.sample, windowMs(window)));
      }
    },
  });
  // Built once per change of the samples: a new data array redraws every chart.
  const built = useMemo(() => {
    if (samples === undefined) return undefined;
    const { x, charts } = hostCharts(samples);
    const views = charts.map((c) => ({
      ...c,
      colored: c.series.map((one, i) => ({ label: one.label, color: COLORS[i % COLORS.length]! })),
      data: [x, ...c.series.map((one) => one.values)] as AlignedData,
    }));
    return { x, views };
  }, [samples]);
  if (error !== undefined) return <ErrorBanner error={error} />;
  if (built === undefined) return loading ? <p class="muted">Loading…</p> : null;
  if (built.x.length === 0) {
    return (
      <EmptyState title="No host samples in this window.">
        The agent sends them every few seconds while it is online (unless its metrics are switched off).
      </EmptyState>
    );
  }
  return (
    <div class="charts">
      {built.views.map((c) => (
        <Chart
          key={c.id}
          title={c.title}
          series={c.colored}
          data={c.data}
          formatY={FORMATS[c.unit]}
          {...(c.unit === 'percent' && { yRange: PERCENT })}
        />
      ))}
    </div>
  );
}
