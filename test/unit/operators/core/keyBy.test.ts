import { describe, expect, it } from 'vitest';
import { keyBy } from '../../../../operators/index.js';
import { bar, rec, run, wm } from '../elements.js';

describe('keyBy', () => {
  it('sets the key of every record from its value', async () => {
    const out = await run(
      [rec({ id: 'a' }, 1), rec({ id: 'b' }, 2)],
      keyBy((v: { id: string }) => v.id),
    );
    expect(out).toEqual([rec({ id: 'a' }, 1, 'a'), rec({ id: 'b' }, 2, 'b')]);
  });

  it('forwards watermarks and barriers unchanged and in order', async () => {
    const out = await run(
      [rec({ id: 'a' }, 1), wm(1), bar(7), rec({ id: 'a' }, 3)],
      keyBy((v: { id: string }) => v.id),
    );
    expect(out.map((e) => e.kind)).toEqual(['record', 'watermark', 'barrier', 'record']);
    expect(out[2]).toEqual(bar(7));
  });

  it('errors the stream when the key function throws', async () => {
    const failing = keyBy<{ id?: string }>((v) => {
      if (!v.id) throw new Error('no id');
      return v.id;
    });
    await expect(run([rec({}, 1)], failing)).rejects.toThrow('no id');
  });
});
