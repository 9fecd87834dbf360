/** The run's CPU and memory (GET /api/v1/jobs/:id/metrics, sampled by its agent). */
import type { JobMetricSample } from '@scrapyard/protocol';
import { Chart } from '../../components/chart.js';
import { EmptyState } from '../../components/empty-state.js';
import { formatBytes } from '../../format/numbers.js';

const CPU = [{ label: 'CPU %', color: '#0a58ca' }];
const RSS = [{ label: 'RSS MiB', color: '#7a3db8' }];

export function ResourcesSection({ samples }: { samples: readonly JobMetricSample[] }) {
  const x = samples.map((s) => s.at / 1_000);
  const last = samples.at(-1);
  return (
    <section id="resources" aria-labelledby="resources-title">
      <h2 id="resources-title">CPU and memory</h2>
      {samples.length === 0 ? (
        <EmptyState title="No samples yet.">
          <p>The agent samples a running crawl's CPU and RSS every few seconds.</p>
        </EmptyState>
      ) : (
        <>
          <p class="muted">
            Latest: {Math.round(last!.cpuPercent)} % CPU, {formatBytes(last!.rssBytes)} RSS
          </p>
          <div class="chart-pair">
            <Chart title="CPU (%)" series={CPU} data={[x, samples.map((s) => s.cpuPercent)]} height={160} />
            <Chart
              title="Memory (RSS, MiB)"
              series={RSS}
              data={[x, samples.map((s) => s.rssBytes / 1_048_576)]}
              height={160}
            />
          </div>
        </>
      )}
    </section>
  );
}
