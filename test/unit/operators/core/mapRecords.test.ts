import { describe, expect, it } from 'vitest';
import { mapRecords, type StreamElement } from '../../../../operators/index.js';
import { bar, rec, run, wm } from '../elements.js';

describe('mapRecords', () => {
  it('maps values and keeps ts, key and position', async () => {
    const pos = { topic: 't', partition: 0, offset: '5' };
    const input: Array<StreamElement<number>> = [
      { kind: 'record', value: 2, ts: 10, key: 'k', pos },
      wm(10),
      bar(1),
    ];
    const out = await run(
      input,
      mapRecords((v: number) => v * 10),
    );
    expect(out).toEqual([{ kind: 'record', value: 20, ts: 10, key: 'k', pos }, wm(10), bar(1)]);
  });

  it('does not add a key to unkeyed records', async () => {
    const [r] = await run(
      [rec(1, 1)],
      mapRecords((v: number) => v + 1),
    );
    expect(r).toEqual({ kind: 'record', value: 2, ts: 1 });
    expect('key' in r).toBe(false);
  });
});
