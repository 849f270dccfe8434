import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../../../pipelines/windowed-demo/cli.js';

describe('twinflow run windowed-demo', () => {
  it('processes every generated reading and reports windows, late firings and hottest assets', async () => {
    const lines: string[] = [];
    await runDemo({ assets: 20, minutes: 10, seed: 1 }, (l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).toContain('processed 12,000 readings');
    const fired =
      /windows fired: ([\d,]+) \(late re-firings: (\d+)\), readings too late even for allowed lateness: (\d+)/.exec(
        text,
      );
    expect(fired).not.toBeNull();
    // 20 assets × 10 minutes, plus re-firings for late readings.
    expect(Number(fired![1].replace(/,/g, ''))).toBe(200 + Number(fired![2]));
    expect(text).toMatch(/asset-00\d\d {2}minute/);
  });

  it('rejects a bad flag with a clear message and exit code 2', () => {
    const r = spawnSync(
      process.execPath,
      ['dist/runtime/cli/main.js', 'run', 'windowed-demo', '--assets', 'many'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--assets must be a positive integer, got "many"');
  });

  it('prints its version', () => {
    expect(
      execFileSync(process.execPath, ['dist/runtime/cli/main.js', '--version'], { encoding: 'utf8' }),
    ).toMatch(/^\d+\.\d+\.\d+/);
  });
});
