/**
 * A time-series chart: uPlot, loaded on first use (its own chunk, kept out of the first-load bundle), sized to its
 * box and redrawn when the data change. `data` is uPlot's: x in epoch seconds, then one array per series.
 * `formatY` writes the y axis and legend values; `yRange` fixes the y scale (0–100 for percentages). The figure
 * says how many x values it drew (`data-points`, for tests).
 */
import type { AlignedData, default as UPlot } from 'uplot';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorBanner } from './error-banner.js';

export interface ChartSeries {
  label: string;
  color: string;
  /** Series of different units get their own y scale, each with its axis (the first on the left). */
  scale?: string;
  dashed?: boolean;
  /** Draw each point (few x values: runs rather than samples). */
  points?: boolean;
}

export interface ChartProps {
  title: string;
  series: readonly ChartSeries[];
  data: AlignedData;
  height?: number;
  formatY?: (v: number) => string;
  yRange?: [number, number];
}

let loading: Promise<typeof UPlot> | undefined;
const loadUPlot = () =>
  (loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default));

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<UPlot | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const labels = props.series.map((s) => s.label).join('|');

  useEffect(() => {
    let gone = false;
    const { formatY, yRange } = props;
    const fmt = (v: number | null) => (v === null ? '–' : formatY ? formatY(v) : String(v));
    const scales = [...new Set(props.series.map((s) => s.scale ?? 'y'))];
    loadUPlot().then((UPlotClass) => {
      if (gone || !box.current) return;
      const width = Math.max(240, box.current.clientWidth);
      plot.current = new UPlotClass(
        {
          width,
          height: props.height ?? 200,
          ...(yRange && { scales: { y: { range: yRange } } }),
          series: [
            {},
            ...props.series.map((s) => ({
              label: s.label,
              stroke: s.color,
              width: 2,
              scale: s.scale ?? 'y',
              ...(s.dashed && { dash: [6, 4] }),
              ...(s.points && { points: { show: true, size: 6, fill: s.color } }),
              ...(formatY && { value: (_u: UPlot, v: number | null) => fmt(v) }),
            })),
          ],
          axes: [
            {},
            ...scales.map((scale, i) => ({
              scale,
              side: i === 0 ? 3 : 1,
              grid: { show: i === 0 },
              ...(formatY
                ? { size: 84, values: (_u: UPlot, splits: number[]) => splits.map((v) => fmt(v)) }
                : { size: 60 }),
            })),
          ],
        },
        props.data,
        box.current,
      );
    }, setError);
    const resize = () => {
      if (plot.current && box.current) {
        plot.current.setSize({ width: Math.max(240, box.current.clientWidth), height: props.height ?? 200 });
      }
    };
    window.addEventListener('resize', resize);
    return () => {
      gone = true;
      window.removeEventListener('resize', resize);
      plot.current?.destroy();
      plot.current = null;
    };
  }, [labels]);

  useEffect(() => plot.current?.setData(props.data), [props.data]);

  return (
    <figure class="chart" data-chart={props.title} data-points={props.data[0].length}>
      <figcaption>{props.title}</figcaption>
      <ErrorBanner error={error} />
      <div ref={box} class="chart-box" role="img" aria-label={props.title} />
    </figure>
  );
}
