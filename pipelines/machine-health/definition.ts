import { commandSchema, telemetrySchema } from '../../connectors/avro/contractSchemas.js';
import { type CommandGuardBounds, commandGuard } from '../../connectors/kafka/commandGuard.js';
import { commandSigner } from '../../connectors/kafka/commandSigning.js';
import type { Telemetry } from '../../operators/control/contracts.js';
import { telemetryCheck } from '../../operators/control/telemetryCheck.js';
import { boundedOutOfOrderness } from '../../operators/time/watermarkStrategy.js';
import type { StreamingJob } from '../../runtime/job/streamingJob.js';
import { machineHealthTables } from './clickhouseTables.js';
import { type MachineHealthDeps, type MachineHealthOutput, machineHealth } from './machineHealth.js';

/** How commands leave the job: signed (HMAC over the Avro body, key id in a header) and checked against absolute bounds. */
export interface MachineHealthCommandOptions {
  readonly signing?: { readonly keyId: string; readonly key: { reveal(): string } };
  readonly bounds?: CommandGuardBounds;
}

/**
 * The machine-health twin as a streaming job, the one definition every mode
 * runs: the telemetry contract in, its graph, commands out to Kafka (guarded
 * by absolute bounds and signed when configured) and its five tables in
 * ClickHouse. Nothing here knows Kafka or ClickHouse clients: the runtime
 * sets it up on Kafka (exactlyOnceJobFor) or replays it (replayJob), and
 * the plant loop runs it embedded.
 *
 * @example
 * const job = machineHealthStreamingJob({ catalogue, riskModel, policy: defaultPolicyConfig }, { commandsTopic: 'commands' });
 */
export function machineHealthStreamingJob(
  deps: Omit<MachineHealthDeps, 'snapshots'>,
  options: {
    readonly commandsTopic: string;
    readonly outOfOrdernessMs?: number;
    readonly idleTimeoutMs?: number;
    readonly commands?: MachineHealthCommandOptions;
    /** Each command the bounds refused, with the reason; it is not written. */
    readonly onCommandRejected?: (rejected: { readonly commandId: string; readonly reason: string }) => void;
  },
): StreamingJob<Telemetry, MachineHealthOutput> {
  const guard = options.commands?.bounds === undefined ? undefined : commandGuard(options.commands.bounds);
  return {
    input: {
      schema: telemetrySchema,
      eventTime: (t) => t.ts,
      check: telemetryCheck,
      watermarks: boundedOutOfOrderness(options.outOfOrdernessMs ?? 5_000, {
        idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      }),
    },
    graph: (input$, snapshots) => machineHealth(input$, { ...deps, snapshots }),
    kafkaOutputs: [
      {
        name: 'commands',
        topic: options.commandsTopic,
        schema: commandSchema,
        // Keyed by asset, so an asset's commands stay in order.
        messages: (out) => {
          if (out.type !== 'command') return [];
          const command = out.command;
          const verdict = guard?.(command, undefined);
          if (verdict !== undefined && !verdict.ok) {
            options.onCommandRejected?.({ commandId: command.commandId, reason: verdict.reason });
            return [];
          }
          return [
            { key: command.assetId, value: command, headers: { 'twinflow-command-id': command.commandId } },
          ];
        },
        seal: commandSigner(options.commands?.signing),
      },
    ],
    clickhouseTables: machineHealthTables(deps.catalogue),
  };
}
