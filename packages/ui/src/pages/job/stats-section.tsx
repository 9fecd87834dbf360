/**
 * The run's live stats: counters, items and requests per minute, responses by status, and the exceptions it raised
 * with their tracebacks. The series grows from `job.stats` events (job-page.tsx), nothing is polled.
 */
import type { CrawlExceptions, JobStatsPoint, JobStatsSummary } from '@scrapyard/protocol';
import { useMemo } from 'preact/hooks';
import { Chart } from '../../components/chart.js';
import { EmptyState } from '../../components/empty-state.js';
import { Time } from '../../components/time.js';
import { formatCount } from '../../format/numbers.js';
import { perMinute, responsesByStatus } from './stats-series.js';

export interface LiveStats {
  summary: JobStatsSummary | null;
  stats: Readonly<Record<string, unknown>> | null;
  series: readonly JobStatsPoint[];
  exceptions: CrawlExceptions | null;
}

const RATE_SERIES = [
  { label: 'items/min', color: '#0a58ca' },
  { label: 'requests/min', color: '#b35900' },
];

export function StatsSection({ live }: { live: LiveStats }) {
  const rates = useMemo(() => perMinute(live.series), [live.series]);
  const byStatus = responsesByStatus(live.stats);
  const last = live.series.at(-1);
  const s = live.summary;
  const counters: [string, number | undefined][] = [
    ['Items', last?.items ?? s?.items],
    ['Requests', last?.requests ?? s?.requests],
    ['Responses', last?.responses ?? s?.responses.total],
    ['Errors', last?.errors ?? s?.errors],
  ];
  const maxStatus = Math.max(1, ...byStatus.map(([, n]) => n));
  return (
    <section id="stats" aria-labelledby="stats-title">
      <h2 id="stats-title">Stats</h2>
      {!s && live.series.length === 0 ? (
        <EmptyState title="No stats yet.">
          <p>They arrive every few seconds once the crawl runs.</p>
        </EmptyState>
      ) : (
        <>
          <dl class="counters">
            {counters.map(([label, n]) => (
              <div key={label} data-counter={label.toLowerCase()}>
                <dt>{label}</dt>
                <dd>{n === undefined ? '–' : formatCount(n)}</dd>
              </div>
            ))}
          </dl>
          {s?.finishReason && (
            <p>
              Finish reason: <code>{s.finishReason}</code>
            </p>
          )}
          {rates.x.length > 0 && (
            <Chart
              title="Items and requests per minute"
              series={RATE_SERIES}
              data={[rates.x, rates.items, rates.requests]}
            />
          )}
          {byStatus.length > 0 && (
            <figure class="chart">
              <figcaption>Responses by status</figcaption>
              <ul class="bars">
                {byStatus.map(([status, n]) => (
                  <li key={status}>
                    <span class="bar-label">{status}</span>
                    <span class="bar" style={{ width: `${(n / maxStatus) * 100}%` }} />
                    <span class="bar-value">{formatCount(n)}</span>
                  </li>
                ))}
              </ul>
            </figure>
          )}
        </>
      )}
      <Exceptions exceptions={live.exceptions} />
    </section>
  );
}

function Exceptions({ exceptions }: { exceptions: CrawlExceptions | null }) {
  if (!exceptions || exceptions.total === 0) return null;
  const shown = [...exceptions.first, ...exceptions.last.filter((e) => !exceptions.first.includes(e))];
  return (
    <div class="exceptions">
      <h3>Exceptions ({formatCount(exceptions.total)})</h3>
      <p class="muted">
        {Object.entries(exceptions.byType)
          .map(([type, n]) => `${type} × ${n}`)
          .join(', ')}
      </p>
      {shown.map((e, i) => (
        <details key={i}>
          <summary>
            <Time ms={e.at} /> <code>{e.type}</code> {e.message}
          </summary>
          {e.context && <p>{e.context}</p>}
          <pre class="traceback">{e.traceback}</pre>
        </details>
      ))}
    </div>
  );
}
