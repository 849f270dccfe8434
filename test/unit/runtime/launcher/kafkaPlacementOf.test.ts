import { describe, expect, it } from 'vitest';
import { boundedOutOfOrderness } from '../../../../operators/time/watermarkStrategy.js';
import { parseJobConfig } from '../../../../runtime/config/jobConfig.js';
import { exactlyOnceJobFor } from '../../../../runtime/exactlyOnce/exactlyOnceJobFor.js';
import type { StreamingJob } from '../../../../runtime/job/streamingJob.js';
import { kafkaPlacementOf } from '../../../../runtime/launcher/kafkaPlacementOf.js';

const CONFIG = `job: { name: pumps, instanceId: pumps-2 }
kafka: { brokers: ['127.0.0.1:1'] }
schemaRegistry: { url: 'http://127.0.0.1:2', username: svc, password: { env: REGISTRY_PW } }
topics: { input: pump-readings, outputs: { alerts: pump-alerts }, partitions: 3 }
clickhouse: { url: 'http://127.0.0.1:3', database: pumps }
epochs: { intervalMs: 500 }
`;

describe('kafkaPlacementOf', () => {
  it("places any job where its config says: topics by role, the outputs' topics by name, derived names filled in", () => {
    const placement = kafkaPlacementOf(parseJobConfig(CONFIG, 'job.yaml', { REGISTRY_PW: 'pw-123' }));
    expect(placement).toMatchObject({
      kafka: { brokers: ['127.0.0.1:1'] },
      groupId: 'pumps',
      instanceId: 'pumps-2',
      topics: {
        input: 'pump-readings',
        outputs: { alerts: 'pump-alerts' },
        changelog: 'pumps-state',
        deadLetter: 'pump-readings-dlq',
        partitions: 3,
        replicationFactor: 1,
      },
      clickhouse: { url: 'http://127.0.0.1:3', database: 'pumps', username: 'default' },
      epochs: { intervalMs: 500, maxRecords: 5000 },
    });
    // The registry password stays behind a function until a client needs it.
    expect(JSON.stringify(placement)).not.toContain('pw-123');
    expect(placement.registry.auth?.password()).toBe('pw-123');
  });

  it('refuses an output name the job does not have before it connects to anything', async () => {
    const job: StreamingJob<{ ts: number }, { ts: number }> = {
      input: {
        schema: { type: 'record', name: 'R', fields: [{ name: 'ts', type: 'long' }] },
        eventTime: (r) => r.ts,
        watermarks: boundedOutOfOrderness(0),
      },
      graph: (input$) => input$,
      kafkaOutputs: [{ name: 'commands', topic: 'commands', schema: { type: 'string' }, messages: () => [] }],
    };
    const placement = kafkaPlacementOf(parseJobConfig(CONFIG, 'job.yaml', { REGISTRY_PW: 'x' }));
    await expect(exactlyOnceJobFor(job, placement)).rejects.toThrow(
      'topics.outputs names "alerts", but the job\'s Kafka outputs are "commands"',
    );
  });
});
