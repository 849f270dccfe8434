import { describe, expect, it } from 'vitest';
import { values } from '../../../../operators/index.js';
import { bar, rec, run, wm } from '../elements.js';

describe('values', () => {
  it('emits record values and drops watermarks and barriers', async () => {
    const out = await run([rec('a', 1), wm(1), bar(1), rec('b', 2)], values() as never);
    expect(out).toEqual(['a', 'b']);
  });
});
