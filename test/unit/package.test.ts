import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The package root as users import it: the built output through package.json's exports map.
const api = await import('twinflow');

describe("package root 'twinflow'", () => {
  it('exports the public operator API from the built output', () => {
    const names = [
      'withEventTime',
      'boundedOutOfOrderness',
      'mergeWatermarks',
      'withPartitionedEventTime',
      'keyBy',
      'windowAggregate',
      'tumbling',
      'sliding',
      'session',
      'count',
      'sum',
      'min',
      'max',
      'mean',
      'stats',
      'quantiles',
      'aggregate',
      'processKeyed',
      'mapAsync',
      'values',
      'InMemorySnapshotStore',
    ];
    for (const name of names) expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
  });

  it('has a twinflow bin that prints help', () => {
    const help = execFileSync(process.execPath, ['dist/runtime/cli/main.js', '--help'], { encoding: 'utf8' });
    expect(help).toContain('Usage: twinflow <command>');
  });
});

describe('package subpaths', () => {
  const expected: Record<string, readonly string[]> = {
    'twinflow/runtime': [
      'ExactlyOnceJob',
      'loadJobConfig',
      'createLogger',
      'JobMetrics',
      'startHealthServer',
      'defineJob',
      'exactlyOnceJobFor',
      'replayJob',
      'launchJob',
      'JobRegistry',
    ],
    'twinflow/kafka': [
      'KafkaSource',
      'transactionalSink',
      'ensureTopics',
      'AvroSerde',
      'ConfluentSchemaRegistry',
    ],
    'twinflow/clickhouse': [
      'ClickHouseSink',
      'ClickHouseOutputs',
      'tableOutput',
      'toClickHouse',
      'migrate',
      'ClickHouseSinkError',
    ],
    'twinflow/simulator': ['PlantSimulator', 'simulateTelemetry', 'loadCatalogue'],
    'twinflow/testing': ['JobTestDriver'],
  };
  for (const [subpath, names] of Object.entries(expected)) {
    it(`${subpath} exports its public API from the built output`, async () => {
      const module = (await import(subpath)) as Record<string, unknown>;
      for (const name of names) expect(typeof module[name], `${subpath} ${name}`).toBe('function');
    });
  }

  it('exports the reusable twin parts at the root, not only the window engine', () => {
    for (const name of ['detectAnomaly', 'hybridRiskModel', 'enforceGuardrails', 'decide', 'kpiAggregator']) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
