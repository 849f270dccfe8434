/**
 * What an epoch's snapshot and changelog cost against the size of state:
 * a keyed operator holding 100k or 1k keys of twin-sized state, 1,000 of
 * them touched per epoch, timed from the barrier entering the operator to
 * the epoch's changelog messages taken (what goes into its transaction).
 * Incremental snapshots (the default) against full ones (every key at every
 * barrier, diffed by the store), to show what the dirty-key tracking buys.
 * No broker: this is the job's own CPU per epoch.
 */
import { Subject } from 'rxjs';
import { KafkaChangelogSnapshotStore } from '../connectors/kafka/changelogSnapshotStore.js';
import type { StreamElement } from '../operators/core/element.js';
import { processKeyed } from '../operators/state/processKeyed.js';
import type { OperatorSnapshot, SnapshotStore } from '../operators/state/snapshots.js';
import { collectGarbage, progress, round, type Spread, spread } from './measure.js';

const TOUCHED = 1_000;
const EPOCHS = 15;
const TARGET_MS = 5;

interface TwinLike {
  risk: number;
  rulHours: number;
  mode: string;
  reported: { temperatureC: number; loadPct: number };
}

interface EpochCost {
  readonly keys: number;
  readonly touched: number;
  readonly snapshots: 'incremental' | 'full';
  /** ms per epoch: barrier through the operator plus taking its changelog messages. */
  readonly ms: Spread;
  readonly messagesPerEpoch: number;
}

export interface EpochFigures {
  readonly incremental100k: EpochCost;
  readonly incremental1k: EpochCost;
  readonly full100k: EpochCost;
  /** incremental 100k keys / incremental 1k keys, medians: ≤ 2 means cost follows what the epoch touched. */
  readonly ratio100kTo1k: number;
  readonly targetMs: number;
}

function measure(keys: number, snapshots: 'incremental' | 'full'): EpochCost {
  const store = new KafkaChangelogSnapshotStore({ topic: 'bench-state' });
  const operatorStore: SnapshotStore =
    snapshots === 'incremental'
      ? store
      : { save: (s: OperatorSnapshot) => store.save(s), load: (id: string) => store.load(id) };
  const input = new Subject<StreamElement<number>>();
  let barriers = 0;
  const sub = input
    .pipe(
      processKeyed<number, TwinLike, never>(
        {
          init: () => ({
            risk: 0,
            rulHours: 1_000,
            mode: 'RUNNING',
            reported: { temperatureC: 60, loadPct: 80 },
          }),
          onRecord(v, ctx) {
            const s = ctx.state;
            s.risk = (s.risk + v) % 1;
            s.rulHours -= 0.01;
            s.reported.temperatureC = 60 + v;
          },
        },
        { id: 'twin', snapshots: operatorStore },
      ),
    )
    .subscribe((e) => {
      if (e.kind === 'barrier') barriers++;
    });
  let ts = 0;
  for (let k = 0; k < keys; k++) input.next({ kind: 'record', value: 0.1, ts: ts++, key: `asset-${k}` });
  input.next({ kind: 'barrier', epoch: 0 });
  store.takeMessages(0);
  const times: number[] = [];
  let messages = 0;
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    // A different 1,000 keys each epoch, spread over all of them.
    const stride = Math.max(1, Math.floor(keys / TOUCHED));
    for (let i = 0; i < TOUCHED; i++) {
      const k = (i * stride + epoch) % keys;
      input.next({ kind: 'record', value: 0.01 * epoch, ts: ts++, key: `asset-${k}` });
    }
    collectGarbage();
    const t0 = performance.now();
    input.next({ kind: 'barrier', epoch });
    messages = store.takeMessages(epoch).length;
    times.push(performance.now() - t0);
  }
  sub.unsubscribe();
  if (barriers !== EPOCHS + 1)
    throw new Error(`epoch bench: ${barriers} barriers came out, ${EPOCHS + 1} went in`);
  const ms = spread(times.map((t) => round(t, 2)));
  progress(
    `  epoch, ${keys} keys, ${TOUCHED} touched, ${snapshots}: median ${ms.median} ms, ${messages} messages`,
  );
  return { keys, touched: TOUCHED, snapshots, ms, messagesPerEpoch: messages };
}

export function changelogEpochBench(): EpochFigures {
  const incremental100k = measure(100_000, 'incremental');
  const incremental1k = measure(1_000, 'incremental');
  const full100k = measure(100_000, 'full');
  return {
    incremental100k,
    incremental1k,
    full100k,
    ratio100kTo1k: round(incremental100k.ms.median / incremental1k.ms.median, 2),
    targetMs: TARGET_MS,
  };
}
