import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The heat-exchanger twin is written as a user of the package would write
 * it: twinflow's public subpaths, node builtins, a few allowed packages and
 * its own folder, nothing else.
 */
const FOLDER = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../pipelines/heat-exchanger');
const PUBLIC = new Set([
  'twinflow',
  'twinflow/runtime',
  'twinflow/kafka',
  'twinflow/clickhouse',
  'twinflow/simulator',
  'twinflow/testing',
]);
const PACKAGES = new Set(['rxjs', 'zod', 'yaml', 'avsc']);
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

/** Why an import of `file` is not allowed, or undefined. */
function violation(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const inside = relative(FOLDER, resolve(dirname(file), specifier));
    return inside.startsWith('..') || inside.startsWith(sep)
      ? `${specifier} leaves pipelines/heat-exchanger`
      : undefined;
  }
  if (PUBLIC.has(specifier) || PACKAGES.has(specifier)) return undefined;
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined;
  return `${specifier} is not a public twinflow subpath, a node builtin or an allowed package`;
}

function violations(file: string, source: string): string[] {
  return [...source.matchAll(IMPORT)].flatMap((m) => {
    const why = violation(file, m[1]!);
    return why === undefined ? [] : [`${relative(FOLDER, file)}: ${why}`];
  });
}

describe('pipelines/heat-exchanger imports', () => {
  it('uses only public twinflow subpaths, builtins, allowed packages and its own folder', () => {
    const files = readdirSync(FOLDER).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((f) => violations(join(FOLDER, f), readFileSync(join(FOLDER, f), 'utf8')))).toEqual(
      [],
    );
  });

  it('catches a deep import into twinflow, a private package and a relative path out of the folder', () => {
    const fixture = [
      "import { processKeyed } from '../../operators/state/processKeyed.js';",
      "import type { Catalogue } from 'twinflow/connectors/catalogue/catalogue.js';",
      "import { createClient } from '@clickhouse/client';",
      "const lazy = await import('../machine-health/report.js');",
      "import { keyBy } from 'twinflow';",
      "import { readFile } from 'node:fs/promises';",
      "import { hxTelemetryCheck } from './telemetryCheck.js';",
    ].join('\n');
    expect(violations(join(FOLDER, 'fixture.ts'), fixture)).toEqual([
      'fixture.ts: ../../operators/state/processKeyed.js leaves pipelines/heat-exchanger',
      'fixture.ts: twinflow/connectors/catalogue/catalogue.js is not a public twinflow subpath, a node builtin or an allowed package',
      'fixture.ts: @clickhouse/client is not a public twinflow subpath, a node builtin or an allowed package',
      'fixture.ts: ../machine-health/report.js leaves pipelines/heat-exchanger',
    ]);
  });
});
