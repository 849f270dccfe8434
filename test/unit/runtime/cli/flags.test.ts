import { describe, expect, it } from 'vitest';
import {
  configAlone,
  positiveInteger,
  positiveNumber,
  seedList,
  tcpPort,
  UsageError,
} from '../../../../runtime/cli/flags.js';

describe('command-line flags', () => {
  it('parse positive numbers and integers, naming the flag when they are not', () => {
    expect(positiveInteger('days', '3', 1)).toBe(3);
    expect(positiveInteger('days', undefined, 1)).toBe(1);
    expect(() => positiveInteger('days', '1.5', 1)).toThrow(UsageError);
    expect(positiveNumber('speed', '0.5', 1)).toBe(0.5);
    expect(() => positiveNumber('speed', 'fast', 1)).toThrow(/--speed/);
  });

  it('take a TCP port 0-65535, 0 for a free one', () => {
    expect(tcpPort('port', undefined, 0)).toBe(0);
    expect(tcpPort('port', '18123', 0)).toBe(18123);
    expect(tcpPort('port', '0', 9)).toBe(0);
    for (const bad of ['-1', '65536', '80.5', 'http', '']) {
      expect(() => tcpPort('port', bad, 0)).toThrow(`--port must be a TCP port (0-65535), got "${bad}"`);
    }
  });

  it('take a list of seeds, naming the flag when an entry is not a non-negative integer', () => {
    expect(seedList('seeds', '42,1,2,3', [7])).toEqual([42, 1, 2, 3]);
    expect(seedList('seeds', ' 5 , 0', [7])).toEqual([5, 0]);
    expect(seedList('seeds', undefined, [7])).toEqual([7]);
    for (const bad of ['', '1,,2', '1,x', '-1', '2.5']) {
      expect(() => seedList('seeds', bad, [])).toThrow(
        `--seeds must be comma-separated non-negative integers, got "${bad}"`,
      );
    }
  });

  it('refuse flags beside --config, which would be silently ignored', () => {
    expect(() => configAlone({ config: 'job.yaml' })).not.toThrow();
    expect(() => configAlone({ config: 'job.yaml', help: undefined })).not.toThrow();
    expect(() => configAlone({ config: 'job.yaml', days: '2', seed: '3' })).toThrow(
      '--config takes everything from the config file; drop --days, --seed',
    );
  });
});
