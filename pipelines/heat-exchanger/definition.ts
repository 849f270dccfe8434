import { boundedOutOfOrderness } from 'twinflow';
import { loadMigrations } from 'twinflow/clickhouse';
import type { StreamingJob } from 'twinflow/runtime';
import { besideSources } from './catalogue.js';
import { hxClickHouseTables } from './clickhouseTables.js';
import { type HxTelemetry, hxCommandSchema, hxTelemetrySchema } from './contracts.js';
import { type HeatExchangerTwinDeps, heatExchangerTwin } from './heatExchangerTwin.js';
import type { HxOutput } from './outputs.js';
import { hxTelemetryCheck } from './telemetryCheck.js';

export interface HeatExchangerJobOptions {
  readonly commandsTopic: string;
  /** How late a reading may arrive behind the newest one (default 60 s). */
  readonly outOfOrdernessMs?: number;
  /** A partition without readings this long stops holding the watermark back (default 10 min). */
  readonly idleTimeoutMs?: number;
}

/**
 * The heat-exchanger twin as a streaming job: the telemetry contract in
 * (bad values dead-lettered), its graph, commands out to Kafka keyed by
 * exchanger (so one exchanger's commands stay in order) with their id in
 * a header, and its tables in ClickHouse.
 *
 * @example
 * const job = heatExchangerStreamingJob({ catalogue }, { commandsTopic: 'hx-commands' });
 * const driver = new JobTestDriver(job);
 */
export function heatExchangerStreamingJob(
  deps: HeatExchangerTwinDeps,
  options: HeatExchangerJobOptions,
): StreamingJob<HxTelemetry, HxOutput> {
  return {
    input: {
      schema: hxTelemetrySchema,
      eventTime: (t) => t.ts,
      check: hxTelemetryCheck,
      watermarks: boundedOutOfOrderness(options.outOfOrdernessMs ?? 60_000, {
        idleTimeoutMs: options.idleTimeoutMs ?? 600_000,
      }),
    },
    graph: (input$, snapshots, context) => heatExchangerTwin(input$, snapshots, deps, context),
    kafkaOutputs: [
      {
        name: 'commands',
        topic: options.commandsTopic,
        schema: hxCommandSchema,
        messages: (out) =>
          out.type === 'command'
            ? [
                {
                  key: out.command.exchangerId,
                  value: out.command,
                  headers: { 'twinflow-command-id': out.command.commandId },
                },
              ]
            : [],
      },
    ],
    clickhouseTables: hxClickHouseTables(deps.catalogue),
    // Its own tables, not twinflow's schemas/clickhouse (the default).
    migrations: loadMigrations(besideSources('migrations')),
  };
}
