import { parseArgs } from 'node:util';
import { seedList, UsageError } from 'twinflow/runtime';
import { DEFAULT_HX_CATALOGUE, loadHxCatalogue } from './catalogue.js';
import { runHeatExchangerInMemory } from './inMemoryRun.js';
import { heatExchangerReport } from './report.js';

const USAGE = 'Usage: twinflow run heat-exchanger --compare [--seeds N[,N…]] [--days D] [--catalogue FILE]';

/**
 * Prints baseline against twin for each seed, run in memory (no Kafka, no ClickHouse).
 *
 * @example
 * await compareFromCli(['--seeds', '1,2,3', '--days', '60'], console.log);
 */
export async function compareFromCli(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      compare: { type: 'boolean' },
      seeds: { type: 'string' },
      days: { type: 'string', default: '60' },
      catalogue: { type: 'string' },
    },
    strict: true,
  });
  let seeds: number[];
  try {
    seeds = seedList('seeds', values.seeds, [1, 2, 3]);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  const days = Number(values.days);
  if (!(Number.isInteger(days) && days > 0))
    throw new UsageError(`--days takes a positive integer\n${USAGE}`);
  const catalogue = await loadHxCatalogue(values.catalogue ?? DEFAULT_HX_CATALOGUE);
  for (const seed of seeds) {
    const r = await runHeatExchangerInMemory({ catalogue, seed, days });
    for (const line of heatExchangerReport(r.baseline, r.twin)) out(line);
    const actions = new Map<string, number>();
    for (const o of r.outputs)
      if (o.type === 'command') actions.set(o.command.action, (actions.get(o.command.action) ?? 0) + 1);
    out(`  twin commands: ${[...actions].map(([a, n]) => `${a} ${n}`).join(', ') || 'none'}`);
  }
  return 0;
}
