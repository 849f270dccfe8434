import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWhatIfArgs } from '../../../../pipelines/machine-health/whatIfCommand.js';
import { UsageError } from '../../../../runtime/cli/flags.js';

describe('parseWhatIfArgs', () => {
  it('reads the asset, the changes, the horizon and the sampling, from the embedded data dir by default', () => {
    expect(
      parseWhatIfArgs([
        '--asset',
        'pump-001',
        '--set',
        'load=0.6',
        '--set',
        'cooling=0.8',
        '--horizon',
        '90m',
      ]),
    ).toEqual({
      assetId: 'pump-001',
      ask: { change: { load: 0.6, coolingFactor: 0.8 }, horizonHours: 1.5, samples: 1000, seed: 1 },
      from: { kind: 'data', dataDir: resolve('.twinflow/clickhouse'), database: 'twinflow' },
      json: false,
    });
    const args = parseWhatIfArgs([
      '--asset=motor-002-r3',
      '--set=load=60%',
      '--samples',
      '200',
      '--seed',
      '7',
      '--config',
      'job.yaml',
      '--catalogue',
      'cat.yaml',
      '--json',
    ]);
    expect(args).toEqual({
      assetId: 'motor-002-r3',
      ask: { change: { load: 0.6 }, horizonHours: 6, samples: 200, seed: 7 },
      from: { kind: 'config', configPath: 'job.yaml' },
      cataloguePath: 'cat.yaml',
      json: true,
    });
    expect(parseWhatIfArgs(['--help'])).toBe('help');
  });

  it('refuses a command line it cannot run, as a usage error naming the problem', () => {
    const refused = (argv: string[]): string => {
      try {
        parseWhatIfArgs(argv);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error(`accepted ${argv.join(' ')}`);
    };
    expect(refused(['--set', 'load=0.6'])).toMatch(/--asset ID/);
    expect(refused(['--asset', 'pump-001'])).toMatch(/--set load=0\.6/);
    expect(refused(['--asset', 'pump-001', '--set', 'speed=2'])).toMatch(
      /unknown setting "speed"; valid: load .*cooling/,
    );
    expect(refused(['--asset', 'pump-001', '--set', 'load=0.6', '--horizon=-6h'])).toMatch(
      /horizon must be positive/,
    );
    // parseArgs's own rule: a value starting with "-" goes after "=".
    expect(refused(['--asset', 'pump-001', '--set', 'load=0.6', '--horizon', '-6h'])).toMatch(/--horizon=-/);
    expect(refused(['--asset', 'pump-001', '--set', 'load=0.6', '--samples', '0'])).toMatch(
      /--samples must be a positive integer/,
    );
    expect(refused(['--asset', 'pump-001', '--set', 'load=0.6', '--seed', 'x'])).toMatch(
      /--seed must be an integer/,
    );
    expect(
      refused(['--asset', 'pump-001', '--set', 'load=0.6', '--config', 'a.yaml', '--data', 'd']),
    ).toMatch(/not both/);
    expect(refused(['--asset', 'pump-001', '--set', 'load=0.6', '--database', 'x;drop'])).toMatch(
      /identifier/,
    );
    expect(refused(['--asset', 'pump-001', '--set', 'load=0.6', '--speed', '2'])).toMatch(/whatif: .*speed/);
  });
});
