import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ProduceUsageError, parseProduceArgs } from '../../../../pipelines/machine-health/produce.js';
import { UsageError } from '../../../../runtime/cli/flags.js';
import { reportFailure } from '../../../../runtime/cli/reportFailure.js';

function reported(error: unknown, command: string | undefined): { code: number; text: string } {
  let text = '';
  const code = reportFailure(error, command, (t) => {
    text += t;
  });
  return { code, text };
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

describe('reportFailure', () => {
  it('reports a produce usage error as a usage error: exit 2 with the produce help hint', () => {
    const error = thrownBy(() => parseProduceArgs(['--rate', 'fast']));
    expect(error).toBeInstanceOf(ProduceUsageError);
    expect(error).toBeInstanceOf(UsageError);
    expect(reported(error, 'produce')).toEqual({
      code: 2,
      text: 'twinflow: --rate must be a number >= 0, got "fast"\nRun "twinflow produce --help" for usage.\n',
    });
  });

  it('reports an unknown produce flag as a usage error', () => {
    const error = thrownBy(() => parseProduceArgs(['--speed', '3']));
    expect(reported(error, 'produce').code).toBe(2);
  });

  it('points at the overview for a command without a help of its own', () => {
    expect(reported(new UsageError('unknown command "fly"'), 'fly')).toEqual({
      code: 2,
      text: 'twinflow: unknown command "fly"\nRun "twinflow --help" for usage.\n',
    });
  });

  it('treats a parseArgs error that escaped a command as a usage error', () => {
    const error = thrownBy(() => parseArgs({ args: ['--nope'], options: {}, strict: true }));
    expect(reported(error, 'run').code).toBe(2);
  });

  it('does not take an error for a usage error because its class name ends in UsageError', () => {
    class LookalikeUsageError extends Error {}
    expect(reported(new LookalikeUsageError('broker down'), 'produce')).toEqual({
      code: 1,
      text: 'twinflow: broker down\n',
    });
  });

  it('exits 1 without a usage hint for any other failure', () => {
    expect(reported(new Error('connection refused'), 'sql')).toEqual({
      code: 1,
      text: 'twinflow: connection refused\n',
    });
  });

  it('reports an error whose code is a number (a Kafka client error) instead of throwing on it', () => {
    const kafkaError = Object.assign(new Error('Local: Broker transport failure'), { code: -195 });
    expect(reported(kafkaError, undefined)).toEqual({
      code: 1,
      text: 'twinflow: Local: Broker transport failure\n',
    });
    expect(reported('a thrown string', undefined)).toEqual({ code: 1, text: 'twinflow: a thrown string\n' });
  });

  it("appends the Kafka client's error lines to a Kafka client's error, and only to one", () => {
    const kafkaError = Object.assign(new Error('Local: Broker transport failure'), {
      name: 'KafkaJSConnectionError',
      code: -195,
    });
    const lines = ['sasl_plaintext://b:9094/bootstrap: SASL authentication error: Authentication failed'];
    const wrapped = new Error('the job failed', { cause: kafkaError });
    const text: string[] = [];
    expect(reportFailure(wrapped, 'run', (t) => text.push(t), lines)).toBe(1);
    expect(text.join('')).toBe(
      'twinflow: the job failed\nthe Kafka client reported:\n  sasl_plaintext://b:9094/bootstrap: SASL authentication error: Authentication failed\n',
    );
    expect(reported(new Error('ClickHouse refused'), undefined)).toEqual({
      code: 1,
      text: 'twinflow: ClickHouse refused\n',
    });
  });
});
