import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * ARCHITECTURE.md's rule, checked on every import of every source file:
 * dependencies point one way, pipelines -> runtime -> connectors ->
 * operators. A layer may import its own folder and the layers below it.
 */
const LAYERS = ['operators', 'connectors', 'runtime', 'pipelines'] as const;
type Layer = (typeof LAYERS)[number];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Packages that do I/O: operators/ stays pure (STYLE.md), its sources and sinks live in connectors/. */
const IO_PACKAGES = [
  '@confluentinc/kafka-javascript',
  '@clickhouse/client',
  '@kafkajs/confluent-schema-registry',
  'chdb',
  'onnxruntime-node',
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'node:child_process',
];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

// Static imports and re-exports (`from '…'`), dynamic imports (`import('…')`) and side-effect imports.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[1]!);
}

function layerOf(path: string): Layer | undefined {
  const top = relative(ROOT, path).split(/[\\/]/)[0];
  return LAYERS.find((layer) => layer === top);
}

/** Why an import breaks the rule, or undefined. */
function violation(fromLayer: Layer, file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = layerOf(resolve(dirname(file), specifier));
    if (target === undefined) return undefined;
    if (LAYERS.indexOf(target) > LAYERS.indexOf(fromLayer)) return `${fromLayer}/ imports ${target}/`;
    return undefined;
  }
  if (fromLayer === 'operators' && IO_PACKAGES.includes(specifier))
    return `operators/ imports the I/O package ${specifier}`;
  return undefined;
}

function violations(): string[] {
  const found: string[] = [];
  for (const layer of LAYERS) {
    for (const file of sourceFiles(join(ROOT, layer))) {
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        const why = violation(layer, file, specifier);
        if (why !== undefined) found.push(`${relative(ROOT, file)} -> ${specifier} (${why})`);
      }
    }
  }
  return found.sort();
}

describe('layering (pipelines -> runtime -> connectors -> operators)', () => {
  it('no source file imports a higher layer, and operators/ imports no I/O package', () => {
    expect(violations()).toEqual([]);
  });

  it('recognises a violation in every import form', () => {
    const file = join(ROOT, 'operators/core/example.ts');
    const source = [
      "import { x } from '../../connectors/kafka/kafkaSource.js';",
      "export { y } from '../../runtime/cli/main.js';",
      "const z = await import('../../pipelines/machine-health/cli.js');",
      "import '../../runtime/observability/metrics.js';",
      "import { readFileSync } from 'node:fs';",
      "import { map } from 'rxjs';",
      "import { keyBy } from '../core/keyBy.js';",
    ].join('\n');
    expect(importsOf(source).map((s) => violation('operators', file, s))).toEqual([
      'operators/ imports connectors/',
      'operators/ imports runtime/',
      'operators/ imports pipelines/',
      'operators/ imports runtime/',
      'operators/ imports the I/O package node:fs',
      undefined,
      undefined,
    ]);
    expect(
      violation('pipelines', join(ROOT, 'pipelines/x/y.ts'), '../../runtime/cli/main.js'),
    ).toBeUndefined();
    expect(
      violation('connectors', join(ROOT, 'connectors/x/y.ts'), '../../operators/core/keyBy.js'),
    ).toBeUndefined();
  });
});
