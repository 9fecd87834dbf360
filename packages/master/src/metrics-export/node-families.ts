/**
 * The per-node gauges (slots, cordon, host sample), written straight to the text format instead of through
 * prom-client: they are most of the exposition (13 series per node: 13,000 at 1,000 nodes), and prom-client's
 * generic formatting of that many samples took about 17 ms of each scrape, against 1 to 2 ms here. They are
 * gauges of state read at scrape time, so they need nothing else prom-client offers.
 */
import type { HostMetrics } from '@scrapyard/protocol';

/** What a scrape knows of one online node. */
export interface NodeView {
  nodeId: string;
  slots: number;
  used: number;
  cordoned: boolean;
  /** Its latest host sample, if it sent one. */
  host: HostMetrics | undefined;
}

interface NodeFamily {
  name: string;
  help: string;
  value: (n: NodeView) => number | undefined;
}

/** A gauge that copies one field of the node's latest host sample. */
function hostGauge(name: string, what: string, field: Exclude<keyof HostMetrics, 'at'>): NodeFamily {
  return { name, help: `${what}, from its latest host sample.`, value: (n) => n.host?.[field] };
}

export const NODE_FAMILIES: readonly NodeFamily[] = [
  { name: 'scrapyard_node_slots_used', help: "Runs placed on an online node's slots.", value: (n) => n.used },
  {
    name: 'scrapyard_node_slots_free',
    help: 'Free slots of an online node (cordoned nodes included: see scrapyard_node_cordoned).',
    value: (n) => Math.max(0, n.slots - n.used),
  },
  {
    name: 'scrapyard_node_cordoned',
    help: 'Whether an online node is cordoned (1: no new jobs are placed on it).',
    value: (n) => (n.cordoned ? 1 : 0),
  },
  {
    name: 'scrapyard_node_cpu_usage_ratio',
    help: "A node's CPU use over all its CPUs (0-1), from its latest host sample.",
    value: (n) => n.host && n.host.cpuPercent / 100,
  },
  hostGauge('scrapyard_node_cpus', "A node's CPU count", 'cpus'),
  hostGauge('scrapyard_node_load1', "A node's 1-minute load average", 'load1'),
  hostGauge('scrapyard_node_load5', "A node's 5-minute load average", 'load5'),
  hostGauge('scrapyard_node_load15', "A node's 15-minute load average", 'load15'),
  hostGauge('scrapyard_node_memory_used_bytes', "A node's memory in use", 'memUsedBytes'),
  hostGauge('scrapyard_node_memory_total_bytes', "A node's total memory", 'memTotalBytes'),
  hostGauge('scrapyard_node_disk_used_bytes', "Space used on the filesystem of a node's data dir", 'diskUsedBytes'),
  hostGauge('scrapyard_node_disk_total_bytes', "Size of the filesystem of a node's data dir", 'diskTotalBytes'),
  {
    name: 'scrapyard_node_host_sample_timestamp_seconds',
    help: "When a node's latest host sample was taken (Unix time): the host gauges are as old as this.",
    value: (n) => n.host && n.host.at / 1000,
  },
];

/** The text exposition (format 0.0.4) of the per-node families; every family has its HELP and TYPE. */
export function renderNodeFamilies(nodes: readonly NodeView[]): string {
  const labels = nodes.map((n) => `{node="${escapeLabelValue(n.nodeId)}"} `);
  let out = '';
  for (const f of NODE_FAMILIES) {
    out += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} gauge\n`;
    for (let i = 0; i < nodes.length; i++) {
      const v = f.value(nodes[i]!);
      if (v !== undefined) out += `${f.name}${labels[i]!}${formatValue(v)}\n`;
    }
  }
  return out;
}

/** The text format's label value escapes: backslash, double quote, line feed. */
export function escapeLabelValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
