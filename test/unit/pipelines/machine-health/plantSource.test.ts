import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../../connectors/catalogue/loadCatalogue.js';
import { OnnxSurrogate } from '../../../../connectors/onnx/onnxSurrogate.js';
import { PlantSimulator } from '../../../../connectors/simulator/plantSimulator.js';
import type { Command } from '../../../../operators/control/contracts.js';
import { defaultPolicyConfig } from '../../../../operators/control/policy.js';
import { hybridRiskModel } from '../../../../operators/scoring/hybridRiskModel.js';
import { physicsRiskModel } from '../../../../operators/scoring/physicsRiskModel.js';
import { machineHealthStreamingJob } from '../../../../pipelines/machine-health/definition.js';
import { DEFAULT_CATALOGUE, DEFAULT_MODEL } from '../../../../pipelines/machine-health/embeddedJob.js';
import type { MachineHealthOutput } from '../../../../pipelines/machine-health/machineHealth.js';
import { plantSource, runBaseline } from '../../../../pipelines/machine-health/plantSource.js';
import { runEmbedded } from '../../../../runtime/embedded/runEmbedded.js';

const START = Date.UTC(2026, 0, 5);
const TICK = 30_000;
const FAULTS = {
  faults: [
    { assetId: 'pump-001', kind: 'bearing-defect' as const, at: START + 2 * 3_600_000, severity: 0.8 },
    { assetId: 'motor-001', kind: 'cooling-loss' as const, at: START + 3 * 3_600_000, severity: 0.9 },
  ],
};

async function runOnce(epochTicks: number) {
  const catalogue = await loadCatalogue(DEFAULT_CATALOGUE);
  const surrogate = await OnnxSurrogate.load(DEFAULT_MODEL);
  const outputs: MachineHealthOutput[] = [];
  const epochs: number[] = [];
  try {
    const plant = new PlantSimulator({ catalogue, seed: 3, startTs: START, tickMs: TICK, faults: FAULTS });
    const commands: Command[] = [];
    const result = await runEmbedded(
      machineHealthStreamingJob(
        {
          catalogue,
          riskModel: hybridRiskModel({
            surrogate,
            physics: physicsRiskModel({ seed: 1, samples: 64 }),
            crossCheckEvery: 64,
          }),
          policy: defaultPolicyConfig,
          outcomeTimeoutMs: 10 * TICK,
        },
        { commandsTopic: 'commands' },
      ),
      {
        source: plantSource(plant, 2 * 24 * 120),
        topic: 'telemetry',
        onOutput: (out) => {
          if (out.type === 'command') commands.push(out.command);
        },
        sinks: {
          write: (o) => {
            outputs.push(o);
          },
          flush: async (epoch) => {
            epochs.push(epoch);
          },
        },
        epochTicks,
      },
    );
    return { result: { ...result, commands, truth: plant.groundTruth() }, outputs, epochs, catalogue };
  } finally {
    await surrogate.close();
  }
}

describe("the plant as the embedded run's closed-loop source", () => {
  it('closes the loop deterministically and prevents the failure the baseline has', async () => {
    const a = await runOnce(120);
    const b = await runOnce(500);
    // Epoch boundaries (barriers) change nothing about what the job decides.
    expect(b.result.commands).toEqual(a.result.commands);
    expect(b.result.truth).toEqual(a.result.truth);
    expect(a.epochs).toEqual(Array.from({ length: 48 }, (_, i) => i + 1).concat(49));

    const baseline = runBaseline(
      new PlantSimulator({ catalogue: a.catalogue, seed: 3, startTs: START, tickMs: TICK, faults: FAULTS }),
      2 * 24 * 120,
    );
    expect(baseline.failures.map((f) => f.assetId)).toContain('pump-001');
    expect(a.result.truth.failures.map((f) => f.assetId)).not.toContain('pump-001');
    const forPump = a.result.commands.filter((c) => c.assetId === 'pump-001').map((c) => c.action);
    // The twin derated the pump as its risk rose, and the bearing was changed before it failed.
    expect(forPump[0]).toBe('REDUCE_LOAD');
    expect(a.result.truth.assets['pump-001'].timeline.map((c) => c.state)).toContain('MAINTENANCE');
  }, 120_000);

  it('emits one enriched reading per plant reading, each with a source position for its commands', async () => {
    const { result, outputs } = await runOnce(120);
    const enriched = outputs.filter((o) => o.type === 'enriched');
    expect(enriched).toHaveLength(result.records);
    for (const c of result.commands.filter((c) => c.source !== null)) {
      expect(c.source?.topic).toBe('telemetry');
    }
    expect(result.deadLetters).toEqual([]);
    expect(result.kafkaMessages.commands).toBe(result.commands.length);
  }, 120_000);
});
