import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimerQueue } from '../../../../operators/state/timerQueue.js';

describe('TimerQueue', () => {
  it('pops times in ascending order with their keys sorted and deduplicated', () => {
    const q = new TimerQueue();
    q.add(30, 'b');
    q.add(10, 'z');
    q.add(30, 'a');
    q.add(10, 'z');
    q.add(20, 'm');
    const popped: Array<[number, string[]]> = [];
    while (q.hasDue(Number.POSITIVE_INFINITY)) {
      const t = q.peek();
      popped.push([t, q.pop()]);
    }
    expect(popped).toEqual([
      [10, ['z']],
      [20, ['m']],
      [30, ['a', 'b']],
    ]);
  });

  it('is a correct priority queue for any insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 })), (times) => {
        const q = new TimerQueue();
        for (const t of times) q.add(t, 'k');
        const out: number[] = [];
        while (q.hasDue(Number.POSITIVE_INFINITY)) {
          out.push(q.peek());
          q.pop();
        }
        expect(out).toEqual(Array.from(new Set(times)).sort((a, b) => a - b));
      }),
    );
  });

  it('reports nothing due when empty, even at +Infinity', () => {
    expect(new TimerQueue().hasDue(Number.POSITIVE_INFINITY)).toBe(false);
  });
});
