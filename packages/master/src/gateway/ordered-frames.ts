/**
 * A socket's frames handled one at a time, in order of arrival (a job's log chunks must land before its finish
 * event), without a promise chain: a connection keeps a flag and, only while a frame is being handled, a backlog.
 * The base of AgentConnection, so its ten thousand instances pay for no extra object.
 */
export abstract class OrderedFrames {
  /** A frame is being handled; frames arriving meanwhile wait in the backlog (data, isBinary, data, …). */
  #busy = false;
  #backlog: (Buffer | boolean)[] | undefined;

  protected abstract handleFrame(data: Buffer, isBinary: boolean): Promise<void>;
  /** A frame's handler threw: the next frames are handled all the same. */
  protected abstract frameFailed(e: unknown): void;

  protected enqueue(data: Buffer, isBinary: boolean): void {
    if (this.#busy) {
      (this.#backlog ??= []).push(data, isBinary);
      return;
    }
    this.#busy = true;
    void this.#drain(data, isBinary);
  }

  async #drain(data: Buffer, isBinary: boolean): Promise<void> {
    let batch: (Buffer | boolean)[] | undefined;
    let i = 0;
    for (;;) {
      try {
        await this.handleFrame(data, isBinary);
      } catch (e) {
        this.frameFailed(e);
      }
      if (!batch || i >= batch.length) {
        batch = this.#backlog;
        this.#backlog = undefined;
        i = 0;
        if (!batch) break;
      }
      data = batch[i++] as Buffer;
      isBinary = batch[i++] as boolean;
    }
    this.#busy = false;
  }
}
