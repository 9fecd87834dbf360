/** The spider's last runs: items, errors and duration per run, and the items baseline the alert rules use. */
import type { JobInfo, SpiderBaseline } from '@scrapyard/protocol';
import { useMemo } from 'preact/hooks';
import type { AlignedData } from 'uplot';
import { Chart, type ChartSeries } from '../../components/chart.js';
import { runSeries } from './run-series.js';

export function RunsChart(props: { runs: readonly JobInfo[]; baseline: SpiderBaseline | undefined }) {
  const s = useMemo(() => runSeries(props.runs), [props.runs]);
  const median = props.baseline?.median ?? null;
  const series = useMemo<(ChartSeries & { values: (number | null)[] })[]>(
    () => [
      { label: 'items', values: s.items, color: '#0a58ca', scale: 'count', points: true },
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
      { label: 'errors', values: s.errors, color: '#b3261e', scale: 'count', points: true },
      { label: 'duration (s)', values: s.duration, color: '#2e7d32', scale: 's', points: true },
    ],
    [s, median],
  );
  const data = useMemo<AlignedData>(() => [s.x, ...series.map((x) => x.values)], [s, series]);
  return (
    <Chart
      title="Items, errors and duration of the last runs"
      series={series.map(({ values: _values, ...rest }) => rest)}
      data={data}
      height={260}
    />
  );
}
