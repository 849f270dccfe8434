#!/usr/bin/env node
/**
 * `npm run train`: trains the machine-health surrogate on physics-labelled
 * states and writes models/machine-health-surrogate.onnx and its .json
 * sidecar. Progress goes to stderr; a JSON summary to stdout.
 *
 * @example
 * node dist/runtime/train/main.js --out models --seed 1
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mlpToOnnx } from './onnxExport.js';
import { trainSurrogate } from './trainSurrogate.js';

export const MODEL_BASENAME = 'machine-health-surrogate';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'models' },
      seed: { type: 'string', default: '1' },
      epochs: { type: 'string' },
      states: { type: 'string' },
    },
  });
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new TypeError(`train: --seed ${values.seed} is not an integer`);
  const epochs = values.epochs === undefined ? undefined : Number(values.epochs);
  const states = values.states === undefined ? undefined : Number(values.states);
  const started = Date.now();
  const trained = trainSurrogate({
    seed,
    ...(epochs === undefined ? {} : { epochs }),
    ...(states === undefined ? {} : { trainStates: states }),
    onProgress: (line) => process.stderr.write(`train: ${line}\n`),
  });
  const outDir = values.out ?? 'models';
  await mkdir(outDir, { recursive: true });
  const onnxPath = join(outDir, `${MODEL_BASENAME}.onnx`);
  const jsonPath = join(outDir, `${MODEL_BASENAME}.json`);
  await writeFile(onnxPath, mlpToOnnx(trained.net, trained.metadata));
  await writeFile(jsonPath, formatJson(trained.metadata));
  process.stdout.write(
    `${JSON.stringify({ onnx: onnxPath, sidecar: jsonPath, seconds: (Date.now() - started) / 1000, ...trained.metadata })}\n`,
  );
}

/**
 * JSON as the repository's formatter lays it out (arrays of plain values on
 * one line when that fits in 110 columns), so a retrained sidecar passes
 * `npm run lint` and diffs cleanly.
 */
function formatJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  const collapsed = text.replace(
    /^( *)("[^"]*": )?\[\n((?:\s*(?:"[^"]*"|-?[\d.e+-]+),?\n)+)\s*\]/gm,
    (whole, indent, key, body) => {
      const items = (body as string)
        .split('\n')
        .map((l) => l.trim().replace(/,$/, ''))
        .filter((l) => l !== '');
      const line = `${indent}${key ?? ''}[${items.join(', ')}]`;
      return line.length + 1 <= 110 ? line : whole;
    },
  );
  return `${collapsed}\n`;
}

main().catch((err: unknown) => {
  process.stderr.write(`train: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
