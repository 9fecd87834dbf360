/**
 * A time chart (uPlot), loaded on first use with a dynamic import so uPlot stays out of the first-load bundle.
 * Generic: x is epoch seconds, each series a label, a colour and its values (null: a gap); a series may take a
 * scale of its own (its own y axis). Sized to its container's width.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** A y scale name: series with different units get different scales (the first scale's axis is on the left). */
  scale?: string;
  /** A dashed line (a reference, e.g. a baseline). */
  dashed?: boolean;
}

let loading: Promise<typeof uPlot> | undefined;
function loadUplot(): Promise<typeof uPlot> {
  loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default);
  return loading;
}

export function Chart(props: { x: number[]; series: ChartSeries[]; height?: number; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let plot: uPlot | undefined;
    let gone = false;
    let observer: ResizeObserver | undefined;
    loadUplot().then(
      (UPlot) => {
        const el = box.current;
        if (gone || !el) return;
        const scales = [...new Set(props.series.map((s) => s.scale ?? 'y'))];
        const opts: uPlot.Options = {
          width: Math.max(200, el.clientWidth),
          height: props.height ?? 240,
          series: [
            {},
            ...props.series.map((s) => ({
              label: s.label,
              stroke: s.color,
              scale: s.scale ?? 'y',
              width: 2,
              ...(s.dashed && { dash: [6, 4] }),
              points: { show: true, size: 6, fill: s.color },
            })),
          ],
          axes: [{}, ...scales.map((scale, i) => ({ scale, side: i === 0 ? 3 : 1, grid: { show: i === 0 } }))],
        };
        const data = [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData;
        plot = new UPlot(opts, data, el);
        observer = new ResizeObserver(() =>
          plot?.setSize({ width: Math.max(200, el.clientWidth), height: opts.height }),
        );
        observer.observe(el);
      },
      (e: unknown) => setError(`the chart could not load (${e instanceof Error ? e.message : String(e)})`),
    );
    return () => {
      gone = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [props.x, props.series, props.height]);
  return (
    <figure class="chart" aria-label={props.title} data-points={props.x.length}>
      {error ? <p class="error-message">{error}</p> : <div ref={box} class="chart-box" />}
    </figure>
  );
}
