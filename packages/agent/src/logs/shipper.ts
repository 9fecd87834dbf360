/**
 * Ships each run's log and items files to the master in chunks tagged with byte offsets. It reads the files on
 * its own schedule, so a crawl never waits on the network, and it resumes from the offsets the master reports
 * at each handshake, so a reconnect leaves no gap and sends nothing twice. Never one message per line.
 */
import { open, stat } from 'node:fs/promises';
import { LOG_CHUNK_MAX_BYTES, type LogChunk, type Stream } from '@scrapyard/protocol';

export interface ShipTarget {
  runId: string;
  stream: Stream;
  path: string;
}

export interface ShipperDeps {
  /** Sends a chunk if connected; false when offline or the socket is backed up. */
  send(chunk: LogChunk): boolean;
  /** Files of runs that may have bytes to ship. */
  targets(): ShipTarget[];
}

const key = (runId: string, stream: Stream) => `${runId}:${stream}`;

export class LogShipper {
  /** Next offset to send per stream; reset from the master's resume offsets on every (re)connect. */
  readonly #sent = new Map<string, number>();
  #pumping: Promise<void> | null = null;
  #again = false;

  constructor(private readonly deps: ShipperDeps) {}

  /** Sets where each stream resumes (from WELCOME) and forgets offsets of the previous connection. */
  resume(offsets: { runId: string; stream: Stream; offset: number }[]): void {
    this.#sent.clear();
    for (const o of offsets) this.#sent.set(key(o.runId, o.stream), o.offset);
  }

  /** The master refused a chunk that started past its end: go back to where it is. */
  rewind(runId: string, stream: Stream, offset: number): void {
    const k = key(runId, stream);
    if ((this.#sent.get(k) ?? 0) > offset) this.#sent.set(k, offset);
  }

  forget(runId: string): void {
    this.#sent.delete(key(runId, 'log'));
    this.#sent.delete(key(runId, 'items'));
  }

  /** Sends whatever is new in every file; concurrent calls coalesce into one more pass. */
  pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return this.#pumping;
    }
    this.#pumping = (async () => {
      do {
        this.#again = false;
        for (const t of this.deps.targets()) if (!(await this.#shipFile(t))) return;
      } while (this.#again);
    })().finally(() => {
      this.#pumping = null;
    });
    return this.#pumping;
  }

  /** Ships one file up to its current end; false when the connection can take no more now. */
  async #shipFile(t: ShipTarget): Promise<boolean> {
    const k = key(t.runId, t.stream);
    let size: number;
    try {
      size = (await stat(t.path)).size;
    } catch {
      return true; // Not created yet (Scrapy opens the feed lazily).
    }
    let offset = this.#sent.get(k) ?? 0;
    if (offset >= size) return true;
    let fh;
    try {
      fh = await open(t.path, 'r');
    } catch (e) {
      // The run was settled and its files purged since the listing was taken: nothing left to ship.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw e;
    }
    try {
      while (offset < size) {
        const len = Math.min(LOG_CHUNK_MAX_BYTES, size - offset);
        const buf = Buffer.allocUnsafe(len);
        const { bytesRead } = await fh.read(buf, 0, len, offset);
        if (bytesRead === 0) break;
        const ok = this.deps.send({
          runId: t.runId,
          stream: t.stream,
          offset,
          data: buf.subarray(0, bytesRead).toString('base64'),
        });
        if (!ok) return false;
        offset += bytesRead;
        this.#sent.set(k, offset);
      }
    } finally {
      await fh.close();
    }
    return true;
  }
}
