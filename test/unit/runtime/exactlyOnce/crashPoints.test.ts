import { describe, expect, it } from 'vitest';
import { CrashPointSpecError, crashPoints } from '../../../../runtime/exactlyOnce/crashPoints.js';

describe('crashPoints', () => {
  it('is a no-op when the variable is unset or empty', () => {
    let kills = 0;
    for (const spec of [undefined, '', '  ']) {
      const crashAt = crashPoints(spec, () => kills++);
      for (let i = 0; i < 5; i++) crashAt('before-commit');
    }
    expect(kills).toBe(0);
  });

  it('kills on the n-th time the named point is reached, and only there', () => {
    const kills: string[] = [];
    let calls = 0;
    const crashAt = crashPoints('before-commit:3', () => kills.push(`at call ${calls}`));
    for (const point of ['restore', 'before-commit', 'restore', 'before-commit', 'before-commit'] as const) {
      calls++;
      crashAt(point);
    }
    expect(kills).toEqual(['at call 5']);
  });

  it('refuses a spec it cannot read, naming the variable and the points it knows', () => {
    for (const spec of ['before-commit', 'commit:1', 'restore:0', 'restore:x', 'restore:-1']) {
      expect(() => crashPoints(spec, () => undefined)).toThrow(CrashPointSpecError);
    }
    expect(() => crashPoints('commit:1', () => undefined)).toThrow(
      /TWINFLOW_CRASH_AT="commit:1" is not <point>:<n> with <point> one of restore, before-commit/,
    );
  });
});
