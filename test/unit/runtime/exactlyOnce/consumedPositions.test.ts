import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsumedPositions } from '../../../../runtime/exactlyOnce/consumedPositions.js';

describe('ConsumedPositions', () => {
  it('commits nothing when nothing was consumed', () => {
    expect(new ConsumedPositions().toCommit()).toEqual([]);
  });

  it('commits the offset after the last one dealt with', () => {
    const positions = new ConsumedPositions();
    positions.record({ topic: 'telemetry', partition: 0, offset: '41' });
    expect(positions.toCommit()).toEqual([
      { topic: 'telemetry', partitions: [{ partition: 0, offset: '42' }] },
    ]);
  });

  it('keeps the highest position per partition, whatever order positions arrive in', () => {
    const positions = new ConsumedPositions();
    positions.record({ topic: 't', partition: 1, offset: '10' });
    positions.record({ topic: 't', partition: 1, offset: '7' });
    positions.record({ topic: 't', partition: 1, offset: '10' });
    expect(positions.toCommit()).toEqual([{ topic: 't', partitions: [{ partition: 1, offset: '11' }] }]);
    positions.record({ topic: 't', partition: 1, offset: '12' });
    expect(positions.toCommit()).toEqual([{ topic: 't', partitions: [{ partition: 1, offset: '13' }] }]);
  });

  it('compares offsets as numbers, not as text', () => {
    const positions = new ConsumedPositions();
    positions.record({ topic: 't', partition: 0, offset: '100' });
    positions.record({ topic: 't', partition: 0, offset: '99' });
    expect(positions.toCommit()[0]?.partitions).toEqual([{ partition: 0, offset: '101' }]);
  });

  it('groups by topic, partitions in ascending order', () => {
    const positions = new ConsumedPositions();
    positions.record({ topic: 'a', partition: 2, offset: '5' });
    positions.record({ topic: 'b', partition: 0, offset: '1' });
    positions.record({ topic: 'a', partition: 0, offset: '9' });
    positions.record({ topic: 'a', partition: 10, offset: '0' });
    const commit = positions.toCommit();
    expect(commit).toHaveLength(2);
    expect(commit.find((t) => t.topic === 'a')?.partitions).toEqual([
      { partition: 0, offset: '10' },
      { partition: 2, offset: '6' },
      { partition: 10, offset: '1' },
    ]);
    expect(commit.find((t) => t.topic === 'b')?.partitions).toEqual([{ partition: 0, offset: '2' }]);
  });

  it('keeps offsets beyond 2^53 exact', () => {
    const positions = new ConsumedPositions();
    positions.record({ topic: 't', partition: 0, offset: '9007199254740993' });
    positions.record({ topic: 't', partition: 0, offset: '9007199254740992' });
    expect(positions.toCommit()[0]?.partitions).toEqual([{ partition: 0, offset: '9007199254740994' }]);
  });

  it('forgets everything on clear, so a new assignment never commits an old position', () => {
    const positions = new ConsumedPositions();
    positions.record({ topic: 't', partition: 0, offset: '500' });
    positions.clear();
    expect(positions.toCommit()).toEqual([]);
    // The partition came back and is consumed from an earlier offset (another instance committed less).
    positions.record({ topic: 't', partition: 0, offset: '20' });
    expect(positions.toCommit()).toEqual([{ topic: 't', partitions: [{ partition: 0, offset: '21' }] }]);
  });

  it('commits max offset + 1 for every partition seen (property)', () => {
    const position = fc.record({
      topic: fc.constantFrom('a', 'b', 'c'),
      partition: fc.integer({ min: 0, max: 5 }),
      offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 2n }),
    });
    fc.assert(
      fc.property(fc.array(position, { maxLength: 60 }), (seen) => {
        const positions = new ConsumedPositions();
        const expected = new Map<string, Map<number, bigint>>();
        for (const p of seen) {
          positions.record({ topic: p.topic, partition: p.partition, offset: p.offset.toString() });
          const byPartition = expected.get(p.topic) ?? new Map<number, bigint>();
          const known = byPartition.get(p.partition);
          if (known === undefined || p.offset + 1n > known) byPartition.set(p.partition, p.offset + 1n);
          expected.set(p.topic, byPartition);
        }
        const commit = positions.toCommit();
        expect(commit.map((t) => t.topic).sort()).toEqual([...expected.keys()].sort());
        for (const { topic, partitions } of commit) {
          const want = [...expected.get(topic)!]
            .sort(([a], [b]) => a - b)
            .map(([partition, offset]) => ({ partition, offset: offset.toString() }));
          expect(partitions).toEqual(want);
        }
      }),
    );
  });
});
