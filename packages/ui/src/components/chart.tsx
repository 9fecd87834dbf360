/**
 * A line chart: one x axis (epoch seconds, drawn as times) and its series, drawn by uPlot. uPlot (and its CSS) is
 * loaded on the first chart, never with the app (the first-load budget), and shared by every chart after it.
 * The chart follows its box's width; `data-points` tells how many x values it drew (tests read it).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { describeError } from '../api/errors.js';

export interface ChartSeries {
  label: string;
  values: readonly (number | null)[];
}

export interface ChartProps {
  title: string;
  /** Ascending epoch seconds. */
  x: readonly number[];
  series: readonly ChartSeries[];
  /** How a y value reads on the axis and in the legend. */
  formatY?: (v: number) => string;
  /** Fixed y range (e.g. 0–100 for percentages); default: fitted to the data from 0. */
  yRange?: [number, number];
  height?: number;
}

// Distinct with readable contrast on the light background; a chart has at most a few series.
const COLORS = ['#1f6feb', '#d4621b', '#2a8f3d', '#8250df', '#b3261e'];

let loading: Promise<typeof uPlot> | undefined;
function loadUPlot(): Promise<typeof uPlot> {
  loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default);
  return loading;
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const { title, x, series, formatY, yRange, height = 180 } = props;

  useEffect(() => {
    let gone = false;
    const el = box.current;
    if (el === null) return;
    let observer: ResizeObserver | undefined;
    loadUPlot().then(
      (UPlot) => {
        if (gone) return;
        const fmt = (v: number | null) => (v === null ? '–' : formatY ? formatY(v) : String(v));
        const opts: uPlot.Options = {
          width: Math.max(200, el.clientWidth),
          height,
          legend: { show: true },
          scales: { x: { time: true }, y: yRange ? { range: yRange } : { range: (_u, _min, max) => [0, max || 1] } },
          series: [
            {},
            ...series.map((s, i) => ({
              label: s.label,
              stroke: COLORS[i % COLORS.length],
              value: (_u: uPlot, v: number | null) => fmt(v),
            })),
          ],
          axes: [{}, { size: 84, values: (_u, splits) => splits.map((v) => fmt(v)) }],
        };
        const data = [x as number[], ...series.map((s) => s.values as (number | null)[])] as uPlot.AlignedData;
        plot.current?.destroy();
        plot.current = new UPlot(opts, data, el);
        observer = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }));
        observer.observe(el);
      },
      (e: unknown) => !gone && setError(e),
    );
    return () => {
      gone = true;
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [x, series, formatY, yRange, height]);

  return (
    <figure class="chart" data-chart={title} data-points={x.length}>
      <figcaption>{title}</figcaption>
      {error !== undefined && <p class="error-banner">Chart not drawn: {describeError(error).message}</p>}
      <div ref={box} class="chart-box" />
    </figure>
  );
}
