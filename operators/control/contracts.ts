/**
 * TypeScript shapes of the Avro contracts in schemas/avro (telemetry.avsc,
 * command.avsc, twinState.avsc). Timestamps are epoch ms (timestamp-millis);
 * 64-bit counters are numbers (safe below 2^53). Keep in step with the .avsc
 * files: a test decodes each schema's default record against these.
 */

export type RunState = 'RUNNING' | 'IDLE' | 'FAILED' | 'MAINTENANCE' | 'STOPPED';

export interface Telemetry {
  assetId: string;
  site: string;
  line: string;
  ts: number;
  seq: number;
  temperatureC: number | null;
  vibrationMmS: number | null;
  loadPct: number;
  pressureBar: number | null;
  powerKw: number;
  rpm: number;
  runState: RunState;
  goodUnits: number;
  rejectedUnits: number;
  loadLimitPct: number | null;
}

export type Action =
  | 'CONTINUE'
  | 'REDUCE_LOAD'
  | 'RESTORE_LOAD'
  | 'SCHEDULE_MAINTENANCE'
  | 'DISPATCH_TECHNICIAN'
  | 'SHUTDOWN';

export type ModelUsedSymbol = 'SURROGATE' | 'PHYSICS' | 'RULE' | 'FAILSAFE';

export interface CommandSource {
  topic: string;
  partition: number;
  offset: string;
}

export interface Command {
  commandId: string;
  assetId: string;
  action: Action;
  loadLimitPct: number | null;
  risk: number;
  horizonHours: number;
  reason: string;
  model: ModelUsedSymbol;
  decidedAt: number;
  source: CommandSource | null;
}

export type TwinMode = 'NORMAL' | 'DERATED' | 'MAINTENANCE' | 'SHUTDOWN' | 'STALE' | 'FAILED';

export interface TwinState {
  assetId: string;
  ts: number;
  lastSeen: number;
  mode: TwinMode;
  reported: {
    temperatureC: number | null;
    vibrationMmS: number | null;
    loadPct: number | null;
    loadLimitPct: number | null;
    runState: string | null;
  };
  desired: { loadLimitPct: number | null; runState: string | null };
  health: {
    risk: number;
    rulHours: number | null;
    anomalyScore: number;
    wearEstimate: number;
    model: string;
  };
  lastCommandId: string | null;
  lastCommandAt: number | null;
  commandsObeyed: number;
  commandsIgnored: number;
  commandsTimedOut: number;
  readings: number;
}
