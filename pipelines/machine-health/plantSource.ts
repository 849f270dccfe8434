import type { GroundTruth } from '../../connectors/simulator/groundTruth.js';
import type { PlantSimulator } from '../../connectors/simulator/plantSimulator.js';
import type { Telemetry } from '../../operators/control/contracts.js';
import type { ClosedLoopSource } from '../../runtime/embedded/runEmbedded.js';
import type { MachineHealthOutput } from './machineHealth.js';
import type { PlantSeriesRecorder } from './plantSeries.js';

/**
 * The simulated plant as the embedded run's source, closing the loop: each
 * tick's readings go to the job, and the commands it derived from them are
 * applied to the plant (at the time they were decided) before the next
 * tick, as the plant's control system would apply them from Kafka.
 * `series`, when given, samples the plant after each tick (charts over time).
 *
 * @example
 * await runEmbedded(definition, { source: plantSource(plant, 5_760), topic: 'telemetry' });
 * plant.groundTruth().failures;
 */
export function plantSource(
  plant: PlantSimulator,
  ticks: number,
  series?: PlantSeriesRecorder,
): ClosedLoopSource<Telemetry, MachineHealthOutput> {
  let tick = 0;
  return {
    step: () => {
      if (tick++ >= ticks) return undefined;
      const readings = plant.step();
      series?.observe(plant);
      return readings;
    },
    apply: (outputs) => {
      for (const out of outputs) if (out.type === 'command') plant.apply(out.command, out.command.decidedAt);
    },
  };
}

/**
 * The baseline: the same seeded plant for the same time, without the twin
 * (no commands). What the twin's run is compared with. `series`, when
 * given, samples the plant after each tick.
 *
 * @example
 * const baseline = runBaseline(new PlantSimulator({ catalogue, seed, startTs, faults }), ticks);
 */
export function runBaseline(plant: PlantSimulator, ticks: number, series?: PlantSeriesRecorder): GroundTruth {
  for (let tick = 0; tick < ticks; tick++) {
    plant.step();
    series?.observe(plant);
  }
  return plant.groundTruth();
}
