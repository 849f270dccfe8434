/**
 * Timers of many keys, ordered by time: a min-heap of distinct times, each
 * with the keys that asked for it. Keys of one time come out sorted, so the
 * firing order depends only on state (what a snapshot holds), never on the
 * order timers were registered in; a restored operator fires exactly as an
 * uninterrupted one.
 *
 * Cancelling is lazy: the owner checks on firing whether the timer still
 * means something for that key.
 */
export class TimerQueue {
  private readonly heap: number[] = [];
  private readonly keysAt = new Map<number, Set<string>>();

  /** Registers `key` at `time`; registering the same pair twice fires it once. */
  add(time: number, key: string): void {
    const keys = this.keysAt.get(time);
    if (keys !== undefined) {
      keys.add(key);
      return;
    }
    this.keysAt.set(time, new Set([key]));
    this.push(time);
  }

  /** The earliest pending time, or +Infinity when none is pending. */
  peek(): number {
    return this.heap.length === 0 ? Number.POSITIVE_INFINITY : this.heap[0];
  }

  /** Whether a timer at or before `time` is pending (also for time = +Infinity). */
  hasDue(time: number): boolean {
    return this.heap.length > 0 && this.heap[0] <= time;
  }

  /** Removes the earliest time and returns its keys, sorted. */
  pop(): string[] {
    const time = this.popTime();
    const keys = this.keysAt.get(time);
    this.keysAt.delete(time);
    if (keys === undefined) return [];
    const sorted = Array.from(keys);
    if (sorted.length > 1) sorted.sort();
    return sorted;
  }

  get size(): number {
    return this.heap.length;
  }

  clear(): void {
    this.heap.length = 0;
    this.keysAt.clear();
  }

  private push(time: number): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(time);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent] <= time) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = time;
  }

  private popTime(): number {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && heap[right] < heap[left] ? right : left;
        if (heap[child] >= last) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
