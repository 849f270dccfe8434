import type { Telemetry } from '../../operators/control/contracts.js';
import type { AvroSerde } from '../avro/avroSerde.js';

/**
 * One batch for a topic, as the KafkaJS-compatible producer of
 * @confluentinc/kafka-javascript takes it. The key is the asset id. The
 * timestamp (epoch ms, as a string) is the reading's event time when the
 * producer was given a `timestampOf` (Kafka's CreateTime convention, which
 * lets a replay seek by event time); without one the broker stamps the
 * time it was produced.
 *
 * @example
 * const record: TelemetryRecord = { topic: 'telemetry', messages: [{ key: 'pump-001', value: bytes, timestamp: '1796300000000' }] };
 */
export interface TelemetryRecord {
  topic: string;
  messages: { key: string; value: Buffer; timestamp?: string }[];
}

/**
 * What produceTelemetry sends through: `producer.send` of a connected
 * KafkaJS-compatible producer; it resolves when the batch is acknowledged.
 *
 * @example
 * const sender: TelemetrySender = kafka.producer({ kafkaJS: { idempotent: true } });
 */
export interface TelemetrySender {
  send(record: TelemetryRecord): Promise<unknown>;
}

/**
 * Where readings come from: one tick's readings per `step()`. The plant
 * simulator (connectors/simulator) is one; any job's simulator of its
 * input can be.
 *
 * @example
 * const source: TelemetrySource = new PlantSimulator({ catalogue, seed: 42, startTs });
 */
export interface TelemetrySource<T = Telemetry> {
  step(): readonly T[];
}

/**
 * Progress after a tick has been handed to the producer.
 *
 * @example
 * onProgress: (p) => process.stderr.write(`${p.ticks}/${p.totalTicks} ${Math.round(p.eventsPerSec)} events/s\n`)
 */
export interface ProduceProgress {
  /** Ticks handed to the producer so far. */
  readonly ticks: number;
  readonly totalTicks: number;
  /** Readings handed to the producer so far (acknowledged or on their way). */
  readonly events: number;
  readonly elapsedMs: number;
  readonly eventsPerSec: number;
}

/**
 * What a finished run produced; every event counted here was acknowledged.
 *
 * @example
 * const { events, eventsPerSec } = await produceTelemetry(producer, serde, sim, { topic: 'telemetry', ticks: 100 });
 */
export interface ProduceReport {
  readonly ticks: number;
  readonly events: number;
  readonly elapsedMs: number;
  readonly eventsPerSec: number;
}

/**
 * Wall-clock time and waiting, injected so pacing is testable.
 *
 * @example
 * const clock: ProduceClock = { now: () => performance.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
 */
export interface ProduceClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * Options of produceTelemetry.
 *
 * @example
 * const options: ProduceTelemetryOptions = { topic: 'telemetry', ticks: 2880, rate: 5000 };
 */
export interface ProduceTelemetryOptions<T = Telemetry> {
  readonly topic: string;
  /**
   * The message key of a reading: it picks the partition, so one asset's
   * readings stay in order (default: its `assetId`).
   */
  readonly keyOf?: (reading: T) => string;
  /**
   * The record timestamp of a reading (epoch ms): its event time, so that
   * offsetsForTimes finds readings by event time. Kafka's time retention
   * counts from it too, so the source's event times must lie within the
   * topic's retention.ms of now (a run simulated months in the past is
   * deleted as soon as it is written). Default: none, the broker stamps
   * the send time.
   */
  readonly timestampOf?: (reading: T) => number;
  /** Steps of the source to publish (one reading per asset each). */
  readonly ticks: number;
  /** Events per second; 0 (the default) is as fast as the producer takes them. */
  readonly rate?: number;
  /** Batches sent but not yet acknowledged before the next waits (default 8); order is kept regardless. */
  readonly maxInFlight?: number;
  readonly onProgress?: (progress: ProduceProgress) => void;
  /** Stops after the tick in progress; the report counts what was produced. */
  readonly signal?: AbortSignal;
  readonly clock?: ProduceClock;
}

/**
 * Producing telemetry failed: the serde could not encode a reading (its
 * AvroEncodeError is the cause) or the producer could not deliver a batch.
 * `retriable` is the cause's own flag (KafkaJS errors and registry outages
 * carry one), false when it has none.
 *
 * @example
 * catch (e) { if (e instanceof TelemetryProduceError) console.error(e.topic, e.tick, e.retriable); }
 */
export class TelemetryProduceError extends Error {
  override readonly name = 'TelemetryProduceError';
  readonly retriable: boolean;

  constructor(
    readonly topic: string,
    /** Tick (from 1) whose readings failed. */
    readonly tick: number,
    readonly step: 'encode' | 'send',
    options: { cause: unknown },
  ) {
    const cause = options.cause;
    super(
      `cannot ${step} telemetry of tick ${tick} for topic ${topic}: ${cause instanceof Error ? cause.message : String(cause)}`,
      options,
    );
    this.retriable = (cause as { retriable?: unknown } | undefined)?.retriable === true;
  }
}

const SYSTEM_CLOCK: ProduceClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Batches are cut to about this much time at the target rate, so pacing stays smooth within a tick. */
const PACING_SLICE_S = 0.05;

/**
 * Publishes `ticks` steps of `source` to `topic`: each reading Avro-encoded
 * with `serde` (Confluent wire format; the schema registered on first use),
 * keyed by asset id so an asset's readings stay ordered in one partition,
 * timestamped with `timestampOf` (its event time) or else when produced. Paced to `rate` events/s when given.
 * Batches are pipelined (up to `maxInFlight` unacknowledged); with an
 * idempotent producer the order within a partition holds and a retry
 * never duplicates. Resolves once everything sent is acknowledged;
 * rejects with TelemetryProduceError after the batches in flight settle.
 *
 * @example
 * const producer = kafka.producer({ kafkaJS: { idempotent: true, acks: -1 } });
 * await producer.connect();
 * const report = await produceTelemetry(producer, new AvroSerde(registry, telemetrySchema),
 *   new PlantSimulator({ catalogue, seed: 42, startTs }), { topic: 'telemetry', ticks: 120, rate: 1000 });
 * await producer.disconnect();
 */
export async function produceTelemetry<T = Telemetry>(
  sender: TelemetrySender,
  serde: AvroSerde<T>,
  source: TelemetrySource<T>,
  options: ProduceTelemetryOptions<T>,
): Promise<ProduceReport> {
  const { topic, ticks: totalTicks, onProgress, signal } = options;
  const keyOf = options.keyOf ?? assetIdOf;
  const timestampOf = options.timestampOf;
  const rate = options.rate ?? 0;
  const maxInFlight = options.maxInFlight ?? 8;
  const clock = options.clock ?? SYSTEM_CLOCK;
  const slice = rate > 0 ? Math.max(1, Math.ceil(rate * PACING_SLICE_S)) : Number.POSITIVE_INFINITY;
  const inFlight: { readonly tick: number; readonly delivery: Promise<unknown> }[] = [];
  const started = clock.now();
  let events = 0;
  let ticks = 0;

  const settle = async (entry: (typeof inFlight)[number]) => {
    try {
      await entry.delivery;
    } catch (error) {
      // Let every other batch finish (or fail) before reporting, so nothing is left unobserved.
      await Promise.allSettled(inFlight.map((e) => e.delivery));
      throw new TelemetryProduceError(topic, entry.tick, 'send', { cause: error });
    }
  };

  while (ticks < totalTicks && signal?.aborted !== true) {
    const tick = ticks + 1;
    const readings = source.step();
    let messages: TelemetryRecord['messages'] = [];
    for (const reading of readings) {
      let value: Buffer;
      try {
        value = await serde.encode(topic, reading);
      } catch (error) {
        await Promise.allSettled(inFlight.map((e) => e.delivery));
        throw new TelemetryProduceError(topic, tick, 'encode', { cause: error });
      }
      messages.push(
        timestampOf === undefined
          ? { key: keyOf(reading), value }
          : { key: keyOf(reading), value, timestamp: String(timestampOf(reading)) },
      );
      if (messages.length >= slice) {
        events += messages.length;
        await dispatch(messages, tick);
        messages = [];
      }
    }
    if (messages.length > 0) {
      events += messages.length;
      await dispatch(messages, tick);
    }
    ticks = tick;
    if (onProgress !== undefined) {
      const elapsedMs = clock.now() - started;
      onProgress({ ticks, totalTicks, events, elapsedMs, eventsPerSec: perSecond(events, elapsedMs) });
    }
  }
  while (inFlight.length > 0) await settle(inFlight.shift()!);
  const elapsedMs = clock.now() - started;
  return { ticks, events, elapsedMs, eventsPerSec: perSecond(events, elapsedMs) };

  /** Sends one batch once the pace allows it and there is room in flight; `events` already counts it. */
  async function dispatch(batch: TelemetryRecord['messages'], tick: number): Promise<void> {
    if (rate > 0) {
      // Released when the events up to and including this batch are due, not before.
      const dueMs = started + ((events - batch.length) * 1000) / rate;
      const waitMs = dueMs - clock.now();
      if (waitMs > 0) await clock.sleep(waitMs);
    }
    while (inFlight.length >= maxInFlight) await settle(inFlight.shift()!);
    let delivery: Promise<unknown>;
    try {
      delivery = sender.send({ topic, messages: batch });
    } catch (error) {
      delivery = Promise.reject(error);
    }
    // Observed now, awaited in order later: a failure must not surface as an unhandled rejection.
    delivery.catch(() => undefined);
    inFlight.push({ tick, delivery });
  }
}

/** The default key: the reading's `assetId`; a reading without one needs a `keyOf`. */
function assetIdOf(reading: unknown): string {
  const id = (reading as { assetId?: unknown }).assetId;
  if (typeof id !== 'string') {
    throw new TypeError('produceTelemetry: a reading has no string assetId; pass keyOf to say what keys it');
  }
  return id;
}

function perSecond(events: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (events * 1000) / elapsedMs : 0;
}
