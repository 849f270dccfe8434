/**
 * Runs async tasks one at a time, in the order they were queued. The embedded
 * engine executes one statement at a time (chDB serialises queries in a
 * process), so the HTTP server queues requests here instead of letting them
 * race for the engine.
 *
 * @example
 * const queue = new SerialQueue();
 * const [a, b] = await Promise.all([queue.run(() => slow()), queue.run(() => fast())]); // slow() ends before fast() starts
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Tasks queued or running. */
  get size(): number {
    return this.pending;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task);
    // The chain must survive a failed task; the caller still sees the failure through `result`.
    this.tail = result.then(
      () => this.pending--,
      () => this.pending--,
    );
    return result;
  }

  /** Resolves when every task queued so far has settled. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }
}
