/**
 * Scrapes a master's /metrics and parses the exposition with a Prometheus text-format parser
 * (`parse-prometheus-text-format`, its output checked with zod) into families tests can query.
 *
 * That parser folds every series of a labelled histogram into one (it keeps `le` and drops the other labels, and
 * their sums and counts), so histogram families are read as three plain families, `_bucket`, `_sum` and `_count`,
 * which it parses exactly; only the grouping by label set is done here.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { z } from 'zod';
import { request, type RequestOptions } from './http.js';

const Labels = z.record(z.string(), z.string()).optional();
const Parsed = z.array(
  z.object({
    name: z.string(),
    help: z.string(),
    type: z.enum(['COUNTER', 'GAUGE', 'HISTOGRAM', 'SUMMARY', 'UNTYPED']),
    metrics: z.array(z.looseObject({ value: z.string().optional(), labels: Labels })),
  }),
);

export interface Sample {
  labels: Record<string, string>;
  value: number;
}
export interface HistogramSeries {
  labels: Record<string, string>;
  /** Cumulative count per upper bound (`le`, as written: "0.5", "+Inf"). */
  buckets: Map<string, number>;
  count: number;
  sum: number;
}
export interface Family {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  /** Counters, gauges and untyped families. */
  samples: Sample[];
  /** Histograms: one per label set. */
  histograms: HistogramSeries[];
}

export interface Exposition {
  families: Family[];
  text: string;
}

const num = (s: string | undefined) => (s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));

/** The sample lines of one series name (`name` or `name{…}`), as an untyped family the parser reads exactly. */
function plainFamily(text: string, name: string): Sample[] {
  const lines = text.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (lines.length === 0) return [];
  const [f] = Parsed.parse(parsePrometheusTextFormat(`# TYPE ${name} untyped\n${lines.join('\n')}\n`));
  return (f?.metrics ?? []).map((m) => ({ labels: m.labels ?? {}, value: num(m.value) }));
}

const keyOf = (labels: Record<string, string>) =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

export function parseExposition(text: string): Exposition {
  const families: Family[] = [];
  for (const f of Parsed.parse(parsePrometheusTextFormat(text))) {
    const family: Family = { name: f.name, help: f.help, type: f.type, samples: [], histograms: [] };
    if (f.type === 'HISTOGRAM') {
      const series = new Map<string, HistogramSeries>();
      const get = (labels: Record<string, string>) => {
        const key = keyOf(labels);
        let s = series.get(key);
        if (!s) series.set(key, (s = { labels, buckets: new Map(), count: NaN, sum: NaN }));
        return s;
      };
      for (const { labels, value } of plainFamily(text, `${f.name}_bucket`)) {
        const { le, ...rest } = labels;
        if (le === undefined) throw new Error(`${f.name}_bucket without le`);
        get(rest).buckets.set(le, value);
      }
      for (const { labels, value } of plainFamily(text, `${f.name}_sum`)) get(labels).sum = value;
      for (const { labels, value } of plainFamily(text, `${f.name}_count`)) get(labels).count = value;
      family.histograms = [...series.values()];
    } else if (f.type !== 'SUMMARY') {
      family.samples = f.metrics.map((m) => ({ labels: m.labels ?? {}, value: num(m.value) }));
    }
    families.push(family);
  }
  return { families, text };
}

export async function scrape(url: string, opts: RequestOptions = {}): Promise<{ status: number; text: string }> {
  const r = await request(`${url}/metrics`, opts);
  return { status: r.status, text: r.text };
}

/** Scrapes and parses; throws unless the answer is 200 in Prometheus' text format. */
export async function scrapeParsed(url: string, opts: RequestOptions = {}): Promise<Exposition> {
  const r = await request(`${url}/metrics`, opts);
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}: ${r.text.slice(0, 300)}`);
  const type = r.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain') || !type.includes('version=0.0.4')) throw new Error(`content-type ${type}`);
  return parseExposition(r.text);
}

export function family(e: Exposition, name: string): Family {
  const f = e.families.find((x) => x.name === name);
  if (!f) throw new Error(`no metric family ${name} in the exposition`);
  return f;
}

const matches = (labels: Record<string, string>, want: Record<string, string>) =>
  Object.entries(want).every(([k, v]) => labels[k] === v);

/** The sum of a counter's or gauge's samples whose labels include `want` (0 when there are none). */
export function value(e: Exposition, name: string, want: Record<string, string> = {}): number {
  return family(e, name)
    .samples.filter((s) => matches(s.labels, want))
    .reduce((n, s) => n + s.value, 0);
}

/** A histogram's observation count and sum over the series whose labels include `want`. */
export function histogram(e: Exposition, name: string, want: Record<string, string> = {}) {
  const series = family(e, name).histograms.filter((h) => matches(h.labels, want));
  for (const h of series) {
    // Well-formed: cumulative buckets ending in +Inf, which equals the count.
    const counts = [...h.buckets.values()];
    if (h.buckets.get('+Inf') !== h.count || counts.some((c, i) => i > 0 && c < counts[i - 1]!)) {
      throw new Error(`${name} ${JSON.stringify(h.labels)}: malformed buckets`);
    }
  }
  return { count: series.reduce((n, h) => n + h.count, 0), sum: series.reduce((n, h) => n + h.sum, 0) };
}

/** Every label name used by a family's samples and series. */
export function labelNames(f: Family): string[] {
  return [...f.samples, ...f.histograms].flatMap((s) => Object.keys(s.labels));
}

/** Every sample name a query can use: family names, and a histogram's or summary's _bucket, _sum and _count. */
export function sampleNames(e: Exposition): Set<string> {
  const out = new Set<string>();
  for (const f of e.families) {
    out.add(f.name);
    if (f.type === 'HISTOGRAM') for (const s of ['_bucket', '_sum', '_count']) out.add(f.name + s);
    if (f.type === 'SUMMARY') for (const s of ['_sum', '_count']) out.add(f.name + s);
  }
  return out;
}
