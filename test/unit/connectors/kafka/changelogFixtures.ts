import type {
  ChangelogMessage,
  ChangelogRecord,
} from '../../../../connectors/kafka/changelogSnapshotStore.js';
import type { OperatorSnapshot } from '../../../../operators/state/snapshots.js';

/** What a broker would hand back for the messages, in order. */
export function asRecords(messages: readonly ChangelogMessage[]): ChangelogRecord[] {
  return messages.map((m) => ({
    key: m.key.toString(),
    value: m.value === null ? null : m.value.toString(),
  }));
}

/** An operator snapshot, positionally. */
export function snapshot(
  operatorId: string,
  epoch: number,
  watermark: number | null,
  keys: [string, unknown][],
): OperatorSnapshot {
  return { operatorId, epoch, watermark, keys };
}
