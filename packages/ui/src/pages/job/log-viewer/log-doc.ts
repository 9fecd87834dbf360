/**
 * The part of a log the viewer holds: a few contiguous chunks of whole lines (a bounded number; the ones far from
 * where the user reads are dropped), grown by byte-range reads before and after and by the live tail at the end.
 * Pure: no DOM, no fetch.
 */
import { charIndexAtByte, splitLines, utf8Length, wholeLines, type Level, type Lines } from './log-lines.js';

/** A byte range as the API answers it (GET /api/v1/jobs/:id/log). */
export interface RangeRead {
  size: number;
  start: number;
  end: number;
  text: string;
}

interface Chunk {
  start: number;
  end: number;
  lines: Lines;
  /** Its last line has no '\n' yet (the file's end while the job writes). */
  open: boolean;
}

export interface LogLine {
  text: string;
  /** Byte offset of the line in the file. */
  start: number;
  level: Level | undefined;
}

/** Chunks kept by default: 24 × ~64 KiB, a bounded footprint whatever the file's size. */
export const MAX_CHUNKS = 24;
/** The live tail grows the last chunk up to this many bytes, then starts a new one (so eviction stays fine-grained). */
export const CHUNK_BYTES = 64 * 1024;

export class LogDoc {
  #chunks: Chunk[] = [];
  /** First line index of each chunk. */
  #firsts: number[] = [];
  #count = 0;
  /** The file's size as last seen (a range read or the tail). */
  size = 0;

  constructor(readonly maxChunks = MAX_CHUNKS) {}

  get start(): number {
    return this.#chunks[0]?.start ?? 0;
  }
  get end(): number {
    return this.#chunks.at(-1)?.end ?? 0;
  }
  get lineCount(): number {
    return this.#count;
  }
  get chunkCount(): number {
    return this.#chunks.length;
  }
  get empty(): boolean {
    return this.#chunks.length === 0;
  }
  get atStart(): boolean {
    return this.start === 0;
  }
  /** Holds the file up to its last known byte (the tail may append). */
  get atEnd(): boolean {
    return this.end >= this.size;
  }

  /** Forgets everything and holds `read` (cut to whole lines): a jump to the end, the start or a match. */
  reset(read: RangeRead): void {
    this.#chunks = [];
    this.size = read.size;
    const whole = wholeLines(read.text, read.start, read.end, read.size);
    if (whole.text !== '') this.#chunks.push(chunkOf(whole.text, whole.start, whole.end));
    else this.#chunks.push(chunkOf('', whole.end, whole.end));
    this.#index();
  }

  /**
   * Adds the read ending where the held part starts. False when it does not join (the view moved meanwhile).
   * Drops chunks at the end past the bound.
   */
  prepend(read: RangeRead): boolean {
    if (this.empty || read.end !== this.start) return false;
    this.size = Math.max(this.size, read.size);
    // It ends where the held part starts, a line's start: only its head may be a cut line.
    const whole = wholeLines(read.text, read.start, read.end, read.end);
    if (whole.text === '') return false;
    this.#chunks.unshift(chunkOf(whole.text, whole.start, whole.end));
    while (this.#chunks.length > this.maxChunks) this.#chunks.pop();
    this.#index();
    return true;
  }

  /**
   * Adds text starting where the held part ends (a range read after it, or a piece of the live tail). Answers the
   * number of lines dropped at the start past the bound (the view shifts by that many), or -1 if it does not join.
   */
  append(read: RangeRead): number {
    if (!this.empty && read.start < this.end && read.end > this.end) {
      // Overlaps what is held (a tail started before a fresh read of the end): keep only what is new.
      const skip = this.end - read.start;
      return this.append({ ...read, start: this.end, text: read.text.slice(charIndexAtByte(read.text, skip)) });
    }
    if (!this.empty && read.end <= this.end && read.start < this.end) return 0;
    if (this.empty || read.start !== this.end) {
      this.size = Math.max(this.size, read.size);
      return -1;
    }
    this.size = Math.max(this.size, read.size, read.end);
    const whole = wholeLines(read.text, 0, read.end, read.size);
    if (whole.text === '') return 0;
    const last = this.#chunks.at(-1)!;
    if (last.open || last.end - last.start < CHUNK_BYTES) this.#grow(last, whole.text, whole.end);
    else this.#chunks.push(chunkOf(whole.text, last.end, whole.end, last.lines.levels.at(-1)));
    let dropped = 0;
    while (this.#chunks.length > this.maxChunks) dropped += this.#chunks.shift()!.lines.text.length;
    this.#index();
    return dropped;
  }

  /** The line at index `i` (0 ≤ i < lineCount). */
  line(i: number): LogLine {
    const c = this.#chunkOfLine(i);
    const k = i - this.#firsts[c]!;
    const { lines } = this.#chunks[c]!;
    return { text: lines.text[k]!, start: lines.starts[k]!, level: lines.levels[k] };
  }

  /** Index of the line holding byte `offset`, or -1 when it is not held. */
  lineAt(offset: number): number {
    if (this.empty || offset < this.start || offset >= Math.max(this.end, this.start + 1)) return -1;
    const c = this.#chunks.findIndex((ch) => offset < ch.end || ch === this.#chunks.at(-1));
    const { starts } = this.#chunks[c]!.lines;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.#firsts[c]! + lo;
  }

  /** Indices of the held lines whose level is shown (a line of no known level always is). */
  filter(shown: ReadonlySet<Level>): number[] {
    const out: number[] = [];
    let i = 0;
    for (const { lines } of this.#chunks) {
      for (const level of lines.levels) {
        if (level === undefined || shown.has(level)) out.push(i);
        i++;
      }
    }
    return out;
  }

  #grow(last: Chunk, text: string, end: number): void {
    const { lines } = last;
    let from = last.end;
    let joined = text;
    if (last.open && lines.text.length > 0) {
      // The open line continues: split it again with what follows.
      from = lines.starts.pop()!;
      joined = lines.text.pop()! + text;
      lines.levels.pop();
    }
    const more = splitLines(joined, from, lines.levels.at(-1));
    lines.text.push(...more.text);
    lines.starts.push(...more.starts);
    lines.levels.push(...more.levels);
    last.end = end;
    last.open = !text.endsWith('\n');
  }

  #chunkOfLine(i: number): number {
    let lo = 0;
    let hi = this.#firsts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#firsts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  #index(): void {
    this.#firsts = [];
    let n = 0;
    for (const ch of this.#chunks) {
      this.#firsts.push(n);
      n += ch.lines.text.length;
    }
    this.#count = n;
  }
}

function chunkOf(text: string, start: number, end: number, inherited?: Level): Chunk {
  return { start, end, lines: splitLines(text, start, inherited), open: text !== '' && !text.endsWith('\n') };
}

/** Byte length of a piece of the live tail (its events carry the start offset and the text). */
export const tailRead = (offset: number, text: string): RangeRead => {
  const end = offset + utf8Length(text);
  return { start: offset, end, size: end, text };
};
