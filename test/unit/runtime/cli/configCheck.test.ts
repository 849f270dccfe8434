import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  CONFIG_CHECK_USAGE,
  runConfigCheck,
  type SettingsOfJob,
} from '../../../../runtime/cli/configCheck.js';
import { UsageError } from '../../../../runtime/cli/flags.js';

async function check(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  settingsOf?: SettingsOfJob,
): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runConfigCheck(argv, (l) => lines.push(l), env, settingsOf);
  return { code, lines };
}

/** A registry that knows one job, "pumps", whose section holds a number of pumps. */
const pumpsOnly: SettingsOfJob = async (job) =>
  job === undefined || job === 'pumps'
    ? { job: 'pumps', settings: { schema: z.strictObject({ pumps: z.int().positive().default(4) }) } }
    : undefined;

describe('twinflow config check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinflow-check-'));
  const good = join(dir, 'good.yaml');
  writeFileSync(
    good,
    `job: { name: mh }
kafka:
  brokers: ['127.0.0.1:19092']
  sasl: { mechanism: plain, username: svc, password: { env: KAFKA_PW } }
schemaRegistry: { url: 'http://127.0.0.1:18081/apis/ccompat/v7' }
topics: { input: telemetry }
clickhouse: { url: 'http://127.0.0.1:18123' }
`,
  );
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'job: { name: mh }\nkafka:\n  brokers: [nope]\nepochs: { maxRecords: 0 }\n');

  it('prints ok and the effective config with secrets redacted, and exits 0', async () => {
    const { code, lines } = await check(['check', good], {
      KAFKA_PW: 'very-secret-pw',
      TWINFLOW__EPOCHS__MAX_RECORDS: '7',
    });
    expect(code).toBe(0);
    expect(lines[0]).toBe(`ok: ${good}`);
    const effective = parse(lines.slice(1).join('\n'));
    expect(effective.kafka.sasl).toEqual({ mechanism: 'plain', username: 'svc', password: '[redacted]' });
    expect(effective.epochs.maxRecords).toBe(7);
    expect(effective.topics.changelog).toBe('mh-state');
    expect(lines.join('\n')).not.toContain('very-secret-pw');
  });

  it('prints every problem with file, line and path, and exits 1', async () => {
    const { code, lines } = await check([bad]);
    expect(code).toBe(1);
    expect(lines).toEqual([
      `invalid: ${bad}: 5 problems`,
      `  ${bad}:3 kafka.brokers[0]: must be host:port with a port 1-65535 (got "nope")`,
      `  ${bad}:4 epochs.maxRecords: must be a positive integer (got 0)`,
      `  ${bad} schemaRegistry: is required`,
      `  ${bad} topics: is required`,
      `  ${bad} clickhouse: is required`,
    ]);
  });

  it("checks the pipeline: section against the job's settings, and says whose", async () => {
    const ok = await check(['check', good], { KAFKA_PW: 'x' }, pumpsOnly);
    expect(ok.lines[1]).toBe('# pipeline: checked against the settings of job "pumps"');
    expect(parse(ok.lines.slice(1).join('\n')).pipeline).toEqual({ pumps: 4 });
    const loose = await check(['check', good], { KAFKA_PW: 'x' });
    expect(loose.lines[1]).toBe('# pipeline: not checked (no job settings known)');
    const valves = join(dir, 'valves.yaml');
    writeFileSync(valves, `${readFileSync(good, 'utf8')}pipeline: { valves: 2 }\n`);
    const refused = await check(['check', '--job', 'pumps', valves], { KAFKA_PW: 'x' }, pumpsOnly);
    expect(refused.code).toBe(1);
    expect(refused.lines).toEqual([
      `invalid: ${valves}: 1 problem`,
      `  ${valves}:8 pipeline.valves: unknown setting`,
    ]);
  });

  it('checks several files and fails if any fails', async () => {
    const { code, lines } = await check(['check', good, join(dir, 'missing.yaml')], { KAFKA_PW: 'x' });
    expect(code).toBe(1);
    expect(lines[0]).toBe(`ok: ${good}`);
    expect(lines.at(-1)).toBe(`  ${join(dir, 'missing.yaml')} (file): cannot be read (ENOENT)`);
  });

  it('prints usage for --help, and needs a file', async () => {
    expect(await check(['check', '--help'])).toEqual({ code: 0, lines: [CONFIG_CHECK_USAGE] });
    await expect(check(['check'])).rejects.toThrow(UsageError);
    await expect(check(['check', '--verbose', good])).rejects.toThrow(/Unknown option/);
  });
});
