/** The spider's last runs: items, errors and duration per run, and the items baseline the alert rules use. */
import type { JobInfo, SpiderBaseline } from '@scrapyard/protocol';
import { useMemo } from 'preact/hooks';
import { Chart, type ChartSeries } from '../../components/chart.js';
import { runSeries } from './run-series.js';

export function RunsChart(props: { runs: readonly JobInfo[]; baseline: SpiderBaseline | undefined }) {
  const s = useMemo(() => runSeries(props.runs), [props.runs]);
  const median = props.baseline?.median ?? null;
  const series = useMemo<ChartSeries[]>(
    () => [
      { label: 'items', values: s.items, color: '#0a58ca', scale: 'count' },
      ...(median === null
        ? []
        : [
            {
              label: 'baseline (median items)',
              values: s.x.map(() => median),
              color: '#6b7785',
              scale: 'count',
              dashed: true,
            },
          ]),
      { label: 'errors', values: s.errors, color: '#b3261e', scale: 'count' },
      { label: 'duration (s)', values: s.duration, color: '#2e7d32', scale: 's' },
    ],
    [s, median],
  );
  return <Chart title="Items, errors and duration of the last runs" x={s.x} series={series} height={260} />;
}
