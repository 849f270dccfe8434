import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigIssue, formatConfigPath } from '../../../../runtime/config/configError.js';

describe('ConfigError', () => {
  it('lists every issue as <file>:<line> <path>: <message>', () => {
    const err = new ConfigError('job.yaml', [
      { path: 'kafka.brokers', message: 'is required', line: 4 },
      { path: 'TWINFLOW__NOPE', message: 'the config has no setting "NOPE"' },
    ]);
    expect(err.message).toBe(
      'job.yaml: 2 problems in the job config:\n  job.yaml:4 kafka.brokers: is required\n  job.yaml TWINFLOW__NOPE: the config has no setting "NOPE"',
    );
    expect(err.name).toBe('ConfigError');
    expect(err.retriable).toBe(false);
  });

  it('formats paths with dotted keys and bracketed list items', () => {
    expect(formatConfigPath(['kafka', 'brokers', 1])).toBe('kafka.brokers[1]');
    expect(formatConfigPath([])).toBe('(root)');
    expect(formatConfigIssue('a.yaml', { path: 'x', message: 'bad', line: 2 })).toBe('a.yaml:2 x: bad');
  });
});
