/**
 * A time-series chart: uPlot, loaded on first use (its own chunk, kept out of the first-load bundle), sized to its
 * box and redrawn when the data change. `data` is uPlot's: x in epoch seconds, then one array per series.
 */
import type { AlignedData, default as UPlot } from 'uplot';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorBanner } from './error-banner.js';

export interface ChartSeries {
  label: string;
  color: string;
}

let loading: Promise<typeof UPlot> | undefined;
const loadUPlot = () =>
  (loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default));

export function Chart(props: { title: string; series: readonly ChartSeries[]; data: AlignedData; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<UPlot | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const labels = props.series.map((s) => s.label).join('|');

  useEffect(() => {
    let gone = false;
    loadUPlot().then((UPlotClass) => {
      if (gone || !box.current) return;
      const width = Math.max(240, box.current.clientWidth);
      plot.current = new UPlotClass(
        {
          width,
          height: props.height ?? 200,
          series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2 }))],
          axes: [{}, { size: 60 }],
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
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <ErrorBanner error={error} />
      <div ref={box} class="chart-box" role="img" aria-label={props.title} />
    </figure>
  );
}
