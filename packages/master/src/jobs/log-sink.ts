/**
 * Receives log/items chunks from agents and writes them at their byte offset, so a resend after a reconnect
 * neither duplicates nor leaves a gap: bytes below the current size are skipped, and a chunk that starts past
 * the end is refused (the ack tells the agent where to resume).
 *
 * Readers that follow a file live (the SSE tail) subscribe with `onAppend` and are told, synchronously after
 * the bytes are written, each time a write extended it.
 */
import { closeSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

interface OpenFile {
  fd: number;
  size: number;
}

/** Called after a write extended `path`; `newSize` is its size now. Must not throw (errors are only warned). */
export type AppendListener = (path: string, newSize: number) => void;

export class LogSink {
  readonly #open = new Map<string, OpenFile>();
  readonly #listeners = new Map<string, Set<AppendListener>>();

  /** Writes a chunk; returns the file's size afterwards, which is the next offset the master wants. */
  write(path: string, offset: number, data: Buffer): number {
    const file = this.#file(path);
    if (offset > file.size) return file.size;
    const skip = file.size - offset;
    if (skip < data.length) {
      writeSync(file.fd, data, skip, data.length - skip, file.size);
      file.size += data.length - skip;
      if (this.#listeners.size !== 0) this.#emitAppend(path, file.size);
    }
    return file.size;
  }

  /**
   * Calls `listener` after every write that extends `path` (the same string writers use). Returns the
   * unsubscribe function (idempotent). Independent of the file being open: survives close/reopen.
   */
  onAppend(path: string, listener: AppendListener): () => void {
    let set = this.#listeners.get(path);
    if (!set) this.#listeners.set(path, (set = new Set()));
    const entry: AppendListener = (p, n) => listener(p, n); // a fresh identity, so one listener may subscribe twice
    set.add(entry);
    return () => {
      const s = this.#listeners.get(path);
      if (s?.delete(entry) && s.size === 0) this.#listeners.delete(path);
    };
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

  #emitAppend(path: string, size: number): void {
    const set = this.#listeners.get(path);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(path, size);
      } catch (e) {
        // A reader's bug must not fail the agent's write (nor its ack).
        process.emitWarning(`LogSink append listener failed: ${String(e)}`);
      }
    }
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
