/** A node's host charts over a window (CPU, memory, load, disk, network), from GET /api/v1/nodes/:id/metrics. */
import { useMemo } from 'preact/hooks';
import { Chart } from '../../components/chart.js';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { useLoad } from '../../components/use-load.js';
import { formatBytes } from '../../format/numbers.js';
import { hostCharts, type HostChart } from './host-series.js';
import { metricsQuery, type WindowId } from './metrics-window.js';
import { getNodeMetrics } from '../../api/nodes.js';

const FORMATS: Record<HostChart['unit'], (v: number) => string> = {
  percent: (v) => `${Math.round(v)} %`,
  load: (v) => v.toFixed(2),
  bytesPerSec: (v) => `${formatBytes(Math.round(v))}/s`,
};
const PERCENT: [number, number] = [0, 100];

export function HostCharts({ nodeId, window, generation }: { nodeId: string; window: WindowId; generation: number }) {
  const { data, error, loading } = useLoad(
    () => getNodeMetrics(nodeId, metricsQuery(window, Date.now())),
    [nodeId, window, generation],
  );
  const built = useMemo(() => (data ? hostCharts(data.samples) : undefined), [data]);
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
      {built.charts.map((c) => (
        <Chart
          key={c.id}
          title={c.title}
          x={built.x}
          series={c.series}
          formatY={FORMATS[c.unit]}
          {...(c.unit === 'percent' && { yRange: PERCENT })}
        />
      ))}
    </div>
  );
}
