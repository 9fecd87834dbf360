/**
 * Receives log/items chunks from agents and writes them at their byte offset, so a resend after a reconnect
 * neither duplicates nor leaves a gap: bytes below the current size are skipped, and a chunk that starts past
 * the end is refused (the ack tells the agent where to resume).
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
      mkdirSync(dirname(path), { recursive: true });
      const fd = openSync(path, 'a+');
      f = { fd, size: fstatSync(fd).size };
      this.#open.set(path, f);
    }
    return f;
  }
}
