import { Subject, type Subscription } from 'rxjs';
import { AvroSerde } from '../../connectors/avro/avroSerde.js';
import { AvroDecodeError } from '../../connectors/avro/errors.js';
import { LocalSchemaRegistry } from '../../connectors/avro/localSchemaRegistry.js';
import { barrier, record, type StreamElement, watermark } from '../../operators/core/element.js';
import { InMemorySnapshotStore } from '../../operators/state/snapshots.js';
import { type DeadLetter, inputRefusal } from '../job/inputRefusal.js';
import type { GraphContext, OutputMessage, StreamingJob } from '../job/streamingJob.js';

/**
 * A record of the late side output: the operator it was too late for, its
 * value and event time.
 *
 * @example
 * const late: LateRecord = { operator: 'kwh', value: reading, ts: 1_000 };
 */
export interface LateRecord {
  readonly operator: string;
  readonly value: unknown;
  readonly ts: number;
}

export type { DeadLetter } from '../job/inputRefusal.js';

/** Turns of the event loop without a new output after which the graph counts as settled. */
const QUIET_TURNS = 3;
/** At most this many turns per wait: a graph that never gets there fails the test instead of hanging it. */
const MAX_TURNS = 1_000_000;

/**
 * Runs a job definition in memory, the way Kafka Streams' TopologyTestDriver
 * runs a topology: no broker, no ClickHouse, no wall clock. Pipe input
 * values (or Avro bytes in the Confluent frame) in, advance event time,
 * close epochs with barriers, restart from the last completed snapshot as a
 * crashed job would, and read what each named output received: Kafka
 * messages before encoding, ClickHouse rows as they would be written
 * (latest-per-epoch tables coalesced at each barrier), and the dead letters
 * the source would have written.
 *
 * `advanceWatermark` resolves once the watermark has come out of the graph
 * and `barrier` once the barrier has: everything before them has been
 * processed, asynchronous operators (a model scored in batches) included,
 * so what the outputs hold then is deterministic. `pipe` only waits until
 * nothing new comes out for a few turns of the event loop; read outputs
 * after a watermark or barrier.
 *
 * @example
 * const driver = new JobTestDriver(pumpEnergy);
 * await driver.pipe({ pumpId: 'p1', ts: 1_000, kwh: 2 });
 * await driver.advanceWatermark(60_000);
 * expect(driver.table('kwh')).toEqual([{ pump: 'p1', minute: 0, kwh: 2 }]);
 */
export class JobTestDriver<In, Out> {
  private readonly store = new InMemorySnapshotStore();
  private readonly registry = new LocalSchemaRegistry();
  private readonly serde: AvroSerde<In>;
  private input = new Subject<StreamElement<In>>();
  private subscription: Subscription | undefined;
  private readonly emitted: Out[] = [];
  private readonly kafkaMessages = new Map<string, OutputMessage[]>();
  private readonly rows = new Map<string, object[]>();
  private readonly latest = new Map<string, Map<string, object>>();
  private readonly refused: DeadLetter<In>[] = [];
  private readonly tooLate: LateRecord[] = [];
  private outputWatermark = Number.NEGATIVE_INFINITY;
  private passedEpoch = 0;
  private epoch = 0;
  private failure: { error: unknown } | undefined;
  private changes = 0;
  private offset = 0;

  /** `topic`: what Avro bytes are framed and positions named with (default 'input'). */
  constructor(
    private readonly definition: StreamingJob<In, Out>,
    private readonly options: { readonly topic?: string } = {},
  ) {
    this.serde = new AvroSerde<In>(this.registry, definition.input.schema);
    for (const o of definition.kafkaOutputs ?? []) this.kafkaMessages.set(o.name, []);
    for (const t of definition.clickhouseTables ?? []) {
      this.rows.set(t.name, []);
      if (t.latestPerEpochBy !== undefined) this.latest.set(t.name, new Map());
    }
    this.start();
  }

  /**
   * Hands a value to the graph as the job's source would: checked by the
   * input contract (a refused value is a dead letter), stamped with its
   * event time (or `options.ts`) and keyed by `options.key`.
   */
  async pipe(value: In, options: { readonly key?: string; readonly ts?: number } = {}): Promise<void> {
    this.feed(value, options);
    await this.settle();
  }

  /** Several values, then one wait for the graph. */
  async pipeAll(values: readonly In[], key?: (value: In) => string): Promise<void> {
    for (const value of values) this.feed(value, { key: key?.(value) });
    await this.settle();
  }

  /** The value as the job's producers put it on the input topic: Avro in the Confluent frame. */
  encode(value: In): Promise<Buffer> {
    return this.serde.encode(this.topic, value);
  }

  /** Bytes from the input topic: decoded with the input contract; bytes that do not decode are a dead letter. */
  async pipeBytes(bytes: Uint8Array, options: { readonly key?: string } = {}): Promise<void> {
    const position = { topic: this.topic, partition: 0, offset: String(this.offset) };
    let value: In;
    try {
      ({ value } = await this.serde.decode(bytes, position));
    } catch (error) {
      if (!(error instanceof AvroDecodeError)) throw error;
      this.offset++;
      this.refused.push({ reason: 'undecodable', message: error.message });
      return;
    }
    await this.pipe(value, options);
  }

  /** Moves event time on: a watermark into the graph, resolved once it has come out (or the graph settled). */
  async advanceWatermark(ts: number): Promise<void> {
    this.check();
    this.input.next(watermark(ts));
    await this.until(() => this.outputWatermark >= ts, `the output watermark to reach ${ts}`);
  }

  /**
   * Closes an epoch: a barrier through the graph; once it has come out, the
   * epoch's snapshots are complete (what a restart restores) and its
   * latest-per-epoch rows are written. Resolves to the epoch.
   */
  async barrier(): Promise<number> {
    this.check();
    const epoch = ++this.epoch;
    this.input.next(barrier(epoch));
    await this.until(() => this.passedEpoch >= epoch, `barrier ${epoch} to come out of the graph`);
    return epoch;
  }

  /**
   * A crash and a restore: the running graph is dropped (what it did since
   * the last completed barrier is lost, as an uncommitted epoch is) and a
   * new one starts from the last completed snapshots. Outputs already
   * received stay; the new graph's are added.
   */
  restart(): void {
    this.subscription?.unsubscribe();
    this.input = new Subject<StreamElement<In>>();
    this.outputWatermark = Number.NEGATIVE_INFINITY;
    this.start();
  }

  /** Every output record so far, in order. */
  outputs(): readonly Out[] {
    return this.emitted;
  }

  /** The messages a Kafka output received (key, value, headers; before Avro encoding and sealing). */
  kafka(name: string): readonly OutputMessage[] {
    const messages = this.kafkaMessages.get(name);
    if (messages === undefined)
      throw new Error(
        `JobTestDriver: the job has no Kafka output "${name}"; it has ${[...this.kafkaMessages.keys()].join(', ') || 'none'}`,
      );
    return messages;
  }

  /** The rows a ClickHouse table output would hold: rows in order, latest-per-epoch tables as of the last barrier. */
  table(name: string): readonly object[] {
    const rows = this.rows.get(name);
    if (rows === undefined)
      throw new Error(
        `JobTestDriver: the job has no table output "${name}"; it has ${[...this.rows.keys()].join(', ') || 'none'}`,
      );
    return rows;
  }

  /** The late side output: records too late for their windows, with the operator that refused them, in order. */
  late(): readonly LateRecord[] {
    return this.tooLate;
  }

  /** What the source would have dead-lettered, in order. */
  deadLetters(): readonly DeadLetter<In>[] {
    return this.refused;
  }

  /** The watermark at the graph's output. */
  watermark(): number {
    return this.outputWatermark;
  }

  /** Stops the graph. */
  close(): void {
    this.subscription?.unsubscribe();
    this.input.complete();
  }

  private get topic(): string {
    return this.options.topic ?? 'input';
  }

  private start(): void {
    const tables = this.definition.clickhouseTables ?? [];
    const outputs = this.definition.kafkaOutputs ?? [];
    const context: GraphContext = {
      late: (operator, r) => void this.tooLate.push({ operator, value: r.value, ts: r.ts }),
    };
    this.subscription = this.definition.graph(this.input, this.store, context).subscribe({
      next: (e) => {
        this.changes++;
        if (e.kind === 'record') {
          this.emitted.push(e.value);
          for (const o of outputs) this.kafkaMessages.get(o.name)?.push(...o.messages(e.value));
          for (const t of tables) {
            const row = t.rowOf(e.value, this.epoch + 1);
            if (row === undefined) continue;
            const latest = this.latest.get(t.name);
            if (latest !== undefined) latest.set((t.latestPerEpochBy as (r: object) => string)(row), row);
            else this.rows.get(t.name)?.push(row);
          }
        } else if (e.kind === 'watermark') this.outputWatermark = e.ts;
        else {
          for (const [name, latest] of this.latest) {
            this.rows.get(name)?.push(...latest.values());
            latest.clear();
          }
          this.store.complete(e.epoch);
          this.passedEpoch = Math.max(this.passedEpoch, e.epoch);
        }
      },
      error: (error: unknown) => {
        this.failure = { error };
      },
    });
  }

  private feed(value: In, options: { readonly key?: string; readonly ts?: number }): void {
    this.check();
    const offset = this.offset++;
    const refused = inputRefusal(this.definition.input, value, options.ts);
    if (refused !== undefined) {
      this.refused.push(refused);
      return;
    }
    const ts = options.ts ?? this.definition.input.eventTime(value);
    this.input.next(
      record(value, ts, options.key, { topic: this.topic, partition: 0, offset: String(offset) }),
    );
  }

  /** Waits until nothing new has come out for a few turns of the event loop. */
  private async settle(): Promise<void> {
    let quiet = 0;
    while (quiet < QUIET_TURNS) {
      this.check();
      const before = this.changes;
      await new Promise((resolve) => setImmediate(resolve));
      quiet = this.changes === before ? quiet + 1 : 0;
    }
    this.check();
  }

  /** Waits until `done()` holds; fails naming `what` if the graph fails or never gets there. */
  private async until(done: () => boolean, what: string): Promise<void> {
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      this.check();
      if (done()) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`JobTestDriver: waited ${MAX_TURNS} turns of the event loop for ${what}`);
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}
