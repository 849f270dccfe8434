import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';

interface InputState {
  watermark: number;
  lastActive: number;
  idle: boolean;
  done: boolean;
}

/**
 * The combined watermark of several inputs (partitions): the minimum over
 * inputs that are neither finished nor idle, emitted only when it advances.
 * An input with no records for `idleTimeoutMs` of processing time (read
 * from the injected scheduler) stops holding the others back; its next
 * record makes it count again. When every live input is idle the combined
 * watermark holds, as Flink's does.
 */
export class WatermarkCombiner<Id> {
  private readonly inputs = new Map<Id, InputState>();
  private emitted = Number.NEGATIVE_INFINITY;
  private check: Subscription | undefined;

  constructor(
    private readonly idleTimeoutMs: number | undefined,
    private readonly onAdvance: (watermark: number) => void,
    private readonly scheduler: SchedulerLike = asyncScheduler,
  ) {}

  get watermark(): number {
    return this.emitted;
  }

  /** Makes an input known before its first record, so it holds the watermark back from the start. */
  register(id: Id): void {
    this.input(id);
    this.scheduleCheck();
  }

  onRecord(id: Id): void {
    const input = this.input(id);
    // Activity only matters for idleness: without a timeout, reading the clock per record is waste.
    if (this.idleTimeoutMs === undefined) return;
    input.lastActive = this.scheduler.now();
    if (input.idle) input.idle = false;
    this.scheduleCheck();
  }

  onWatermark(id: Id, ts: number): void {
    const input = this.input(id);
    if (ts > input.watermark) {
      input.watermark = ts;
      this.advance();
    }
  }

  onComplete(id: Id): void {
    const input = this.input(id);
    input.done = true;
    input.watermark = Number.POSITIVE_INFINITY;
    this.advance();
  }

  dispose(): void {
    this.check?.unsubscribe();
    this.check = undefined;
  }

  private input(id: Id): InputState {
    let input = this.inputs.get(id);
    if (input === undefined) {
      input = {
        watermark: Number.NEGATIVE_INFINITY,
        lastActive: this.scheduler.now(),
        idle: false,
        done: false,
      };
      this.inputs.set(id, input);
    }
    return input;
  }

  private advance(): void {
    let min = Number.POSITIVE_INFINITY;
    let live = 0;
    for (const input of this.inputs.values()) {
      if (input.done || input.idle) continue;
      live++;
      if (input.watermark < min) min = input.watermark;
    }
    if (live === 0) {
      const allDone = Array.from(this.inputs.values()).every((i) => i.done);
      if (!allDone) return;
    }
    if (min > this.emitted) {
      this.emitted = min;
      this.onAdvance(min);
    }
  }

  private scheduleCheck(): void {
    const timeout = this.idleTimeoutMs;
    if (timeout === undefined || this.check !== undefined) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const input of this.inputs.values()) {
      if (!input.done && !input.idle && input.lastActive < earliest) earliest = input.lastActive;
    }
    if (earliest === Number.POSITIVE_INFINITY) return;
    const delay = Math.max(0, earliest + timeout - this.scheduler.now());
    this.check = this.scheduler.schedule(() => {
      this.check = undefined;
      this.markIdle(timeout);
      this.scheduleCheck();
    }, delay);
  }

  private markIdle(timeout: number): void {
    const now = this.scheduler.now();
    let changed = false;
    for (const input of this.inputs.values()) {
      if (!input.done && !input.idle && now - input.lastActive >= timeout) {
        input.idle = true;
        changed = true;
      }
    }
    if (changed) this.advance();
  }
}
