import type { Command, Telemetry, TwinState } from '../../../../operators/control/contracts.js';

/** Sample values of the three contracts, typed with their TS shapes, covering null and non-null branches. */
export const telemetrySample: Telemetry = {
  assetId: 'pump-0007',
  site: 'plant-a',
  line: 'line-2',
  ts: 1_767_225_600_123,
  seq: 9_007_199_254_740_000, // near 2^53: a 64-bit counter must survive as a number
  temperatureC: 71.25,
  vibrationMmS: null,
  loadPct: 82.5,
  pressureBar: 6.4,
  powerKw: 41.7,
  rpm: 2950,
  runState: 'RUNNING',
  goodUnits: 123_456,
  rejectedUnits: 321,
  loadLimitPct: null,
};

export const commandSample: Command = {
  commandId: 'pump-0007:1767225600123:REDUCE_LOAD',
  assetId: 'pump-0007',
  action: 'REDUCE_LOAD',
  loadLimitPct: 70,
  risk: 0.62,
  horizonHours: 6,
  reason: 'bearing temperature 91 °C above 85 °C for 5 min; risk 0.62 > 0.5',
  model: 'SURROGATE',
  decidedAt: 1_767_225_600_123,
  source: { topic: 'telemetry', partition: 3, offset: '18446744073709551615' },
};

export const timerCommandSample: Command = {
  ...commandSample,
  commandId: 'pump-0007:1767225900000:SCHEDULE_MAINTENANCE',
  action: 'SCHEDULE_MAINTENANCE',
  loadLimitPct: null,
  model: 'FAILSAFE',
  source: null,
};

export const twinStateSample: TwinState = {
  assetId: 'pump-0007',
  ts: 1_767_225_600_123,
  lastSeen: 1_767_225_600_000,
  mode: 'DERATED',
  reported: { temperatureC: 91, vibrationMmS: 4.2, loadPct: 70, loadLimitPct: 70, runState: 'RUNNING' },
  desired: { loadLimitPct: 70, runState: null },
  health: { risk: 0.62, rulHours: 140.5, anomalyScore: 3.1, wearEstimate: 0.4, model: 'SURROGATE' },
  lastCommandId: commandSample.commandId,
  lastCommandAt: 1_767_225_600_123,
  commandsObeyed: 3,
  commandsIgnored: 0,
  commandsTimedOut: 1,
  readings: 86_400,
};
