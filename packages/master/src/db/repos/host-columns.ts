/**
 * Host samples held as numbers in typed arrays, not as one object per sample. At 10,000 agents 2,000 samples
 * arrive a second, and each one outlives a few young-generation collections (the insert buffer holds it up to a
 * second, a node's latest sample for five): as objects, every sample was promoted to the old generation and the
 * master's heap grew by ~30 MB a minute until a full collection (bench agents10k). A number written into a typed
 * array allocates nothing; the row objects of an INSERT are made when it runs, and die young.
 */
import type { HostMetrics } from '@scrapyard/protocol';
import type { HostMetricsTable } from '../schema.js';

/** Numbers per sample, in this order: at, cpu, cpus, load 1/5/15, memory used/total, disk used/total, net rx/tx. */
const FIELDS = 12;

function store(to: Float64Array, slot: number, m: HostMetrics): void {
  const o = slot * FIELDS;
  to[o] = m.at;
  to[o + 1] = m.cpuPercent;
  to[o + 2] = m.cpus;
  to[o + 3] = m.load1;
  to[o + 4] = m.load5;
  to[o + 5] = m.load15;
  to[o + 6] = m.memUsedBytes;
  to[o + 7] = m.memTotalBytes;
  to[o + 8] = m.diskUsedBytes;
  to[o + 9] = m.diskTotalBytes;
  to[o + 10] = m.netRxBytesPerSec;
  to[o + 11] = m.netTxBytesPerSec;
}

function toMetrics(from: Float64Array, slot: number): HostMetrics {
  const o = slot * FIELDS;
  return {
    at: from[o]!,
    cpuPercent: from[o + 1]!,
    cpus: from[o + 2]!,
    load1: from[o + 3]!,
    load5: from[o + 4]!,
    load15: from[o + 5]!,
    memUsedBytes: from[o + 6]!,
    memTotalBytes: from[o + 7]!,
    diskUsedBytes: from[o + 8]!,
    diskTotalBytes: from[o + 9]!,
    netRxBytesPerSec: from[o + 10]!,
    netTxBytesPerSec: from[o + 11]!,
  };
}

function toRow(nodeId: string, from: Float64Array, slot: number): HostMetricsTable {
  const o = slot * FIELDS;
  return {
    node_id: nodeId,
    at: from[o]!,
    cpu_percent: from[o + 1]!,
    cpus: from[o + 2]!,
    load1: from[o + 3]!,
    load5: from[o + 4]!,
    load15: from[o + 5]!,
    mem_used: from[o + 6]!,
    mem_total: from[o + 7]!,
    disk_used: from[o + 8]!,
    disk_total: from[o + 9]!,
    net_rx: from[o + 10]!,
    net_tx: from[o + 11]!,
  };
}

/** A copy of `values` with room for at least `slots` samples (capacity doubles, so pushes stay amortised O(1)). */
function grown(values: Float64Array<ArrayBuffer>, slots: number): Float64Array<ArrayBuffer> {
  if (slots * FIELDS <= values.length) return values;
  const next = new Float64Array(Math.max(slots, (values.length / FIELDS) * 2) * FIELDS);
  next.set(values);
  return next;
}

const INITIAL_SLOTS = 1_024;
/** A buffer that grew past this (the database stalled) goes back to its initial size once written. */
const KEEP_SLOTS = 16_384;

/** Samples waiting for their INSERT, in arrival order. */
export class HostRowBuffer {
  #ids: string[] = [];
  #values = new Float64Array(INITIAL_SLOTS * FIELDS);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(nodeId: string, m: HostMetrics): void {
    this.#values = grown(this.#values, this.#length + 1);
    this.#ids[this.#length] = nodeId;
    store(this.#values, this.#length++, m);
  }

  /** The rows of samples [from, to), as the INSERT takes them. */
  rows(from: number, to: number): HostMetricsTable[] {
    const out: HostMetricsTable[] = [];
    for (let i = from; i < Math.min(to, this.#length); i++) out.push(toRow(this.#ids[i]!, this.#values, i));
    return out;
  }

  /**
   * The bound parameters of the INSERT of `rows(from, to)`, row after row in its column order (node_id, then the
   * FIELDS): one flat array instead of a row object per sample and the query tree kysely builds from them.
   */
  parameters(from: number, to: number): (string | number)[] {
    const end = Math.min(to, this.#length);
    const out = new Array<string | number>(Math.max(0, end - from) * (FIELDS + 1));
    let k = 0;
    for (let i = from; i < end; i++) {
      out[k++] = this.#ids[i]!;
      for (let o = i * FIELDS, f = 0; f < FIELDS; f++) out[k++] = this.#values[o + f]!;
    }
    return out;
  }

  clear(): void {
    this.#length = 0;
    if (this.#values.length > KEEP_SLOTS * FIELDS) {
      this.#values = new Float64Array(INITIAL_SLOTS * FIELDS);
      this.#ids = [];
    }
  }
}

/** Each node's latest sample, overwritten in place: one slot per node, reused when a node is forgotten. */
export class LatestHostSamples {
  readonly #slots = new Map<string, number>();
  readonly #free: number[] = [];
  #values = new Float64Array(INITIAL_SLOTS * FIELDS);

  set(nodeId: string, m: HostMetrics): void {
    let slot = this.#slots.get(nodeId);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.#slots.size;
      this.#values = grown(this.#values, slot + 1);
      this.#slots.set(nodeId, slot);
    }
    store(this.#values, slot, m);
  }

  get(nodeId: string): HostMetrics | undefined {
    const slot = this.#slots.get(nodeId);
    return slot === undefined ? undefined : toMetrics(this.#values, slot);
  }

  /** Forgets the nodes whose latest sample was taken before `olderThan` (nodes long gone). */
  forgetOlderThan(olderThan: number): void {
    for (const [nodeId, slot] of this.#slots) {
      if (this.#values[slot * FIELDS]! < olderThan) {
        this.#slots.delete(nodeId);
        this.#free.push(slot);
      }
    }
  }
}
