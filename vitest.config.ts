import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** twinflow's public subpaths and the source barrel behind each. */
const SUBPATHS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^twinflow$/, source('./index.ts')],
  [/^twinflow\/runtime$/, source('./runtime/index.ts')],
  [/^twinflow\/kafka$/, source('./connectors/kafka/index.ts')],
  [/^twinflow\/clickhouse$/, source('./connectors/clickhouse/index.ts')],
  [/^twinflow\/simulator$/, source('./connectors/simulator/index.ts')],
  [/^twinflow\/onnx$/, source('./connectors/onnx/index.ts')],
  [/^twinflow\/testing$/, source('./runtime/testing/index.ts')],
];

/** The tests that check the built package import `twinflow` as a user does: from dist/, not the sources. */
const BUILT_PACKAGE_TESTS = /[\\/]test[\\/]unit[\\/]package(\.test\.ts$|[\\/])/;

/**
 * Pipelines written against twinflow's public exports (`import … from
 * 'twinflow/runtime'`) and their tests share one copy of each module: the
 * source barrels, so nothing needs building first. An alias would also
 * redirect the built-package tests, hence a resolver that leaves them alone.
 */
function twinflowFromSource(): Plugin {
  return {
    name: 'twinflow-from-source',
    enforce: 'pre',
    resolveId(id, importer) {
      if (!id.startsWith('twinflow') || (importer !== undefined && BUILT_PACKAGE_TESTS.test(importer)))
        return null;
      for (const [pattern, path] of SUBPATHS) if (pattern.test(id)) return path;
      return null;
    },
  };
}

export default defineConfig({
  plugins: [twinflowFromSource()],
  test: {
    testTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        // Integration tests share one real local stack (Kafka, Apicurio, embedded ClickHouse),
        // started once for the project and stopped after it; files run one at a time against it.
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/localStackSetup.ts'],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
