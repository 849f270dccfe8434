import { describe, expect, it } from 'vitest';
import {
  STACK,
  StackSelectionError,
  stackEndpoints,
  stackEnvironment,
  stackProvider,
} from '../../integration/localStackSetup.js';

describe('stackProvider', () => {
  it('runs the process stack unless TWINFLOW_STACK asks for containers', () => {
    expect(stackProvider({})).toBe('processes');
    expect(stackProvider({ TWINFLOW_STACK: '' })).toBe('processes');
    expect(stackProvider({ TWINFLOW_STACK: 'processes' })).toBe('processes');
    expect(stackProvider({ TWINFLOW_STACK: 'containers' })).toBe('containers');
  });

  it('refuses any other value instead of silently starting the default stack', () => {
    expect(() => stackProvider({ TWINFLOW_STACK: 'container' })).toThrow(StackSelectionError);
    let refused: unknown;
    try {
      stackProvider({ TWINFLOW_STACK: 'docker' });
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(StackSelectionError);
    expect((refused as StackSelectionError).value).toBe('docker');
    expect((refused as StackSelectionError).message).toContain('"docker"');
  });
});

describe('stackEndpoints', () => {
  it("defaults to the process stack's fixed ports", () => {
    expect(stackEndpoints({})).toEqual({
      kafkaBroker: '127.0.0.1:19092',
      registryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
      clickhouseUrl: 'http://127.0.0.1:18123',
    });
  });

  it('takes each endpoint from its variable, an empty one counting as unset', () => {
    expect(stackEndpoints({ TWINFLOW_KAFKA_BROKER: 'localhost:32771', TWINFLOW_CLICKHOUSE_URL: '' })).toEqual(
      {
        kafkaBroker: 'localhost:32771',
        registryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
        clickhouseUrl: 'http://127.0.0.1:18123',
      },
    );
  });

  it('reads back what stackEnvironment wrote', () => {
    const endpoints = {
      kafkaBroker: 'localhost:32771',
      registryUrl: 'http://localhost:32772/apis/ccompat/v7',
      clickhouseUrl: 'http://localhost:32773',
    };
    const env = stackEnvironment(endpoints);
    expect(Object.keys(env).sort()).toEqual([
      'TWINFLOW_CLICKHOUSE_URL',
      'TWINFLOW_KAFKA_BROKER',
      'TWINFLOW_REGISTRY_URL',
    ]);
    expect(stackEndpoints(env)).toEqual(endpoints);
  });
});

describe('STACK', () => {
  it("in a test with nothing provided by global setup, is this process's TWINFLOW_* endpoints or the defaults", () => {
    expect({ ...STACK }).toEqual(stackEndpoints(process.env));
  });
});
