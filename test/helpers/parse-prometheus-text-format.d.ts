/** The package ships no types; its output is validated with zod where it is used (prometheus.ts). */
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown;
}
