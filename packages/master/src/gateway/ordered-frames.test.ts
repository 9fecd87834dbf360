import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrderedFrames } from './ordered-frames.js';

/** Frames named by their text: `async:x` is handled after a turn, `throw:x` / `reject:x` fail. */
class Recorder extends OrderedFrames {
  readonly handled: string[] = [];
  readonly failed: string[] = [];
  readonly #gates: (() => void)[] = [];

  push(text: string): void {
    this.enqueue(Buffer.from(text), false);
  }

  /** Lets the oldest waiting `async:` frame finish. */
  open(): void {
    this.#gates.shift()?.();
  }

  protected handleFrame(data: Buffer): Promise<void> | undefined {
    const text = data.toString();
    if (text.startsWith('throw:')) throw new Error(text);
    if (text.startsWith('reject:')) return Promise.reject(new Error(text));
    if (!text.startsWith('async:')) {
      this.handled.push(text);
      return undefined;
    }
    return new Promise<void>((resolve) => this.#gates.push(resolve)).then(() => void this.handled.push(text));
  }

  protected frameFailed(e: unknown): void {
    this.failed.push((e as Error).message);
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

void test('frames handled synchronously are done before enqueue returns, one after the other', () => {
  const r = new Recorder();
  r.push('a');
  r.push('b');
  r.push('throw:c');
  r.push('d');
  assert.deepEqual(r.handled, ['a', 'b', 'd']);
  assert.deepEqual(r.failed, ['throw:c']);
});

void test('frames arriving while one is handled asynchronously wait for it, and keep their order', async () => {
  const r = new Recorder();
  r.push('a');
  r.push('async:b');
  r.push('c');
  r.push('reject:d');
  r.push('async:e');
  r.push('f');
  await turn();
  assert.deepEqual(r.handled, ['a'], 'nothing passes the frame in progress');
  r.open();
  await turn();
  assert.deepEqual(r.handled, ['a', 'async:b', 'c']);
  assert.deepEqual(r.failed, ['reject:d'], 'a failed frame does not stop the ones after it');
  r.push('g');
  r.open();
  await turn();
  assert.deepEqual(r.handled, ['a', 'async:b', 'c', 'async:e', 'f', 'g']);
  r.push('h');
  assert.deepEqual(r.handled.at(-1), 'h', 'once the backlog is empty, frames are handled at once again');
});
