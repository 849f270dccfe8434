import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOGUE } from '../../../../pipelines/machine-health/embeddedJob.js';
import {
  machineHealthSimulator,
  ProduceUsageError,
  parseProduceArgs,
} from '../../../../pipelines/machine-health/produce.js';

const NOW = Date.parse('2026-12-04T20:26:41.250Z');

function usageError(args: string[]): ProduceUsageError {
  try {
    parseProduceArgs(args);
  } catch (error) {
    if (error instanceof ProduceUsageError) return error;
    throw error;
  }
  throw new Error(`expected a ProduceUsageError for ${args.join(' ')}`);
}

describe('parseProduceArgs', () => {
  it('defaults to the local stack, topic telemetry with 4 partitions, one simulated day ending now', () => {
    expect(parseProduceArgs([], NOW)).toEqual({
      brokers: ['127.0.0.1:19092'],
      registry: 'http://127.0.0.1:18081/apis/ccompat/v7',
      topic: 'telemetry',
      partitions: 4,
      assets: 100,
      ticks: 2880,
      tickS: 30,
      rate: 0,
      seed: 42,
      cataloguePath: DEFAULT_CATALOGUE,
      // A day before now, to the minute: the newest of the 2880 readings is 30 s and the seconds before now.
      startTs: Date.parse('2026-12-03T20:26:00Z'),
    });
  });

  it('reads every flag', () => {
    expect(
      parseProduceArgs([
        '--brokers',
        'k1:9092, k2:9093',
        '--registry',
        'https://registry.example:8081',
        '--topic',
        'plant.telemetry',
        '--partitions',
        '12',
        '--assets',
        '24',
        '--ticks',
        '3',
        '--tick',
        '10',
        '--rate',
        '2500.5',
        '--seed',
        '0',
        '--catalogue',
        'my.yaml',
        '--start-time',
        '2026-12-01T06:00+01:00',
      ]),
    ).toEqual({
      brokers: ['k1:9092', 'k2:9093'],
      registry: 'https://registry.example:8081',
      topic: 'plant.telemetry',
      partitions: 12,
      assets: 24,
      ticks: 3,
      tickS: 10,
      rate: 2500.5,
      seed: 0,
      cataloguePath: 'my.yaml',
      startTs: Date.UTC(2026, 11, 1, 5),
    });
  });

  it('turns --days into ticks of --tick seconds', () => {
    expect(parseProduceArgs(['--days', '0.5', '--tick', '60'])).toMatchObject({ ticks: 720, tickS: 60 });
  });

  it('answers help for -h and --help', () => {
    expect(parseProduceArgs(['-h'])).toBe('help');
    expect(parseProduceArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--partitions', '0'], '--partitions must be a positive integer, got "0"'],
    [['--assets', '2.5'], '--assets must be a positive integer, got "2.5"'],
    [['--ticks=-1'], '--ticks must be a positive integer, got "-1"'],
    [['--days', 'two'], '--days must be a positive number, got "two"'],
    [['--rate', 'fast'], '--rate must be a number >= 0, got "fast"'],
    [['--rate', ''], '--rate must be a number >= 0, got ""'],
    [['--seed=-3'], '--seed must be an integer >= 0, got "-3"'],
    [['--tick', '0'], '--tick must be a positive number, got "0"'],
    [['--topic', 'bad topic'], '--topic must be a legal Kafka topic name'],
    [['--brokers', 'localhost'], '"localhost" is not host:port'],
    [['--brokers', ''], '--brokers must be host:port'],
    [['--registry', 'not a url'], '--registry must be an http(s) URL, got "not a url"'],
    [['--days', '1', '--ticks', '5'], '--days and --ticks both say how much to publish'],
    [['--start-time', '2026-12-01T06:00'], '--start-time must be an ISO 8601 time with a zone'],
    [['--start-time', 'yesterday'], 'got "yesterday"'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['extra'], 'produce:'],
  ])('rejects %j with a message naming the flag', (args, message) => {
    expect(usageError(args as string[]).message).toContain(message);
  });
});

describe('machineHealthSimulator', () => {
  it('builds the same plant for the same config: identical readings', async () => {
    const config = { assets: 15, seed: 7, tickS: 30, cataloguePath: DEFAULT_CATALOGUE, startTs: NOW };
    const [a, b] = await Promise.all([machineHealthSimulator(config), machineHealthSimulator(config)]);
    const first = a.step();
    expect(first).toHaveLength(15);
    expect(first.map((r) => r.assetId)).toContain('pump-001');
    expect(b.step()).toEqual(first);
    expect(a.step()).toEqual(b.step());
  });
});
