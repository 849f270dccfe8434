import { type Observable, Subject, type Subscription } from 'rxjs';
import type { StreamElement, StreamRecord } from '../../operators/core/element.js';

/**
 * An operator graph driven in this process, epoch by epoch: what every
 * mode shares (the embedded run, a replay, and each generation of the
 * exactly-once Kafka job, whose sink is the epoch's transaction). Elements go in through `input`; a
 * barrier has *passed* once it comes out at the end of `pipeline` (after
 * the sinks, so its epoch is durable); the output watermark is the one
 * seen before the sinks, so a closed loop can act on the graph's outputs
 * while their epoch is still being written. A failure of the graph fails
 * every wait.
 *
 * @example
 * const run = new GraphRun<Telemetry, Output>((input$) => definition.graph(input$, undefined), {
 *   beforeSinks: (out) => void outputs.push(out),
 *   sinks: throughSinks(tables),
 * });
 * run.input.next(record(reading, reading.ts));
 * run.input.next(barrier(1));
 * await run.passed(1);
 */
export class GraphRun<In, Out> {
  readonly input = new Subject<StreamElement<In>>();
  /** Settles when the graph completes (after `input.complete()`) or fails. */
  readonly done: Promise<void>;
  private passedEpoch = 0;
  private outputWatermark = Number.NEGATIVE_INFINITY;
  private failed: { error: unknown } | undefined;
  private barrierWaiters: { epoch: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private watermarkWaiter: { ts: number; resolve: () => void; reject: (error: unknown) => void } | undefined;
  private readonly subscription: Subscription;

  constructor(
    graph: (input$: Observable<StreamElement<In>>) => Observable<StreamElement<Out>>,
    options: {
      /** Each output record as it leaves the graph, before the sinks. */
      readonly beforeSinks?: (out: Out, record: StreamRecord<Out>) => void;
      /** Where the outputs go before a barrier counts as passed (e.g. throughSinks(tables)). */
      readonly sinks?: (output$: Observable<StreamElement<Out>>) => Observable<StreamElement<Out>>;
      /** Each output record as it comes out of the sinks: in order with the barriers that follow it. */
      readonly afterSinks?: (out: Out) => void;
      /** Each barrier once it has passed the sinks (on Kafka: once its epoch's transaction committed). */
      readonly onPassed?: (epoch: number) => void;
      /** The graph's or a sink's failure, once (as `done` rejects). */
      readonly onFailure?: (error: unknown) => void;
    } = {},
  ) {
    const { beforeSinks, afterSinks, sinks, onPassed, onFailure } = options;
    let resolveDone!: () => void;
    let rejectDone!: (error: unknown) => void;
    this.done = new Promise<void>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    this.done.catch(() => undefined);
    const output = new Subject<StreamElement<Out>>();
    const after = sinks === undefined ? output : sinks(output);
    this.subscription = after.subscribe({
      next: (e) => {
        if (e.kind === 'record') afterSinks?.(e.value);
        if (e.kind !== 'barrier') return;
        this.passedEpoch = Math.max(this.passedEpoch, e.epoch);
        onPassed?.(e.epoch);
        const due = this.barrierWaiters.filter((w) => w.epoch <= this.passedEpoch);
        this.barrierWaiters = this.barrierWaiters.filter((w) => w.epoch > this.passedEpoch);
        for (const w of due) w.resolve();
      },
      error: (error: unknown) => {
        this.fail(error, rejectDone);
        onFailure?.(error);
      },
      complete: resolveDone,
    });
    this.subscription.add(
      graph(this.input).subscribe({
        next: (e) => {
          if (e.kind === 'record') beforeSinks?.(e.value, e);
          else if (e.kind === 'watermark') {
            this.outputWatermark = e.ts;
            const w = this.watermarkWaiter;
            if (w !== undefined && e.ts >= w.ts) {
              this.watermarkWaiter = undefined;
              w.resolve();
            }
          }
          output.next(e);
        },
        error: (error: unknown) => output.error(error),
        complete: () => output.complete(),
      }),
    );
  }

  /** The watermark at the graph's output (before the sinks). */
  get watermark(): number {
    return this.outputWatermark;
  }

  /** Resolves once barrier `epoch` (or a later one) has passed the sinks. */
  passed(epoch: number): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed.error);
    if (this.passedEpoch >= epoch) return Promise.resolve();
    return new Promise((resolve, reject) => this.barrierWaiters.push({ epoch, resolve, reject }));
  }

  /** Resolves once the graph's output watermark has reached `ts`. */
  untilWatermark(ts: number): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed.error);
    if (this.outputWatermark >= ts) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.watermarkWaiter = { ts, resolve, reject };
    });
  }

  /** The graph's failure, if it failed. */
  failure(): unknown {
    return this.failed?.error;
  }

  /** Unsubscribes (no-op once complete): nothing calls the graph's models or sinks after this. */
  stop(): void {
    this.subscription.unsubscribe();
  }

  private fail(error: unknown, rejectDone: (error: unknown) => void): void {
    this.failed = { error };
    for (const w of this.barrierWaiters) w.reject(error);
    this.barrierWaiters = [];
    this.watermarkWaiter?.reject(error);
    this.watermarkWaiter = undefined;
    rejectDone(error);
  }
}
