/**
 * A socket's frames handled one at a time, in order of arrival (a job's log chunks must land before its finish
 * event), without a promise chain: a connection keeps a flag and, only while a frame is being handled, a backlog.
 * The base of AgentConnection, so its ten thousand instances pay for no extra object.
 *
 * A frame handled synchronously (a heartbeat, most of the traffic) costs no promise at all: at 10,000 agents the
 * async frame loop and its promises (each also seen by the request context's async hooks) were the largest
 * allocation of the master, and the garbage it promoted grew its heap between full collections (bench agents10k).
 */
export abstract class OrderedFrames {
  /** A frame is being handled; frames arriving meanwhile wait in the backlog (data, isBinary, data, …). */
  #busy = false;
  #backlog: (Buffer | boolean)[] | undefined;

  /** Handles one frame: nothing when done synchronously, else a promise of its end. */
  protected abstract handleFrame(data: Buffer, isBinary: boolean): Promise<void> | undefined;
  /** A frame's handler threw: the next frames are handled all the same. */
  protected abstract frameFailed(e: unknown): void;

  protected enqueue(data: Buffer, isBinary: boolean): void {
    if (this.#busy) {
      (this.#backlog ??= []).push(data, isBinary);
      return;
    }
    const pending = this.#handle(data, isBinary);
    if (pending) {
      this.#busy = true;
      void this.#drain(pending);
    }
  }

  /** One frame; a promise (that never rejects) only when its handling goes on asynchronously. */
  #handle(data: Buffer, isBinary: boolean): Promise<void> | undefined {
    try {
      return this.handleFrame(data, isBinary)?.catch((e: unknown) => this.frameFailed(e));
    } catch (e) {
      this.frameFailed(e);
      return undefined;
    }
  }

  /** Waits for the frame in progress, then handles the backlog in order until it is empty. */
  async #drain(first: Promise<void>): Promise<void> {
    let pending: Promise<void> | undefined = first;
    let batch: (Buffer | boolean)[] | undefined;
    let i = 0;
    while (pending) {
      await pending;
      pending = undefined;
      while (!pending) {
        if (!batch || i >= batch.length) {
          batch = this.#backlog;
          this.#backlog = undefined;
          i = 0;
          if (!batch) break;
        }
        const data = batch[i++] as Buffer;
        const isBinary = batch[i++] as boolean;
        pending = this.#handle(data, isBinary);
      }
    }
    this.#busy = false;
  }
}
