/**
 * Receives log/items chunks from agents and writes them at their byte offset, so a resend after a reconnect
 * neither duplicates nor leaves a gap: bytes below the current size are skipped, and a chunk that starts past
 * the end is refused (the ack tells the agent where to resume). Readers that follow a file live (the SSE tail)
 * learn of new bytes from the `job.output` event the writer publishes.
 */
import { closeSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

interface OpenFile {
  fd: number;
  size: number;
}

export class LogSink {
  readonly #open = new Map<string, OpenFile>();

  /** Writes a chunk; returns the file's size afterwards, which is the next offset the master wants. */
  write(path: string, offset: number, data: Buffer): number {
    const file = this.#file(path);
    if (offset > file.size) return file.size;
    const skip = file.size - offset;
    if (skip < data.length) {
      writeSync(file.fd, data, skip, data.length - skip, file.size);
      file.size += data.length - skip;
    }
    return file.size;
  }

  /** Current size of a stream's file (0 if absent), used to tell a reconnecting agent where to resume. */
  size(path: string): number {
    return this.#file(path).size;
  }

  close(path: string): void {
    const f = this.#open.get(path);
    if (f) {
      closeSync(f.fd);
      this.#open.delete(path);
    }
  }

  closeAll(): void {
    for (const path of [...this.#open.keys()]) this.close(path);
  }

  #file(path: string): OpenFile {
    let f = this.#open.get(path);
    if (!f) {
      // Owner-only: the master serves logs and items over HTTP, behind its authentication (data-dir.ts).
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const fd = openSync(path, 'a+', 0o600);
      f = { fd, size: fstatSync(fd).size };
      this.#open.set(path, f);
    }
    return f;
  }
}
