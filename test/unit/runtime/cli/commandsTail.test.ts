import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { commandSchema } from '../../../../connectors/avro/contractSchemas.js';
import { LocalSchemaRegistry } from '../../../../connectors/avro/localSchemaRegistry.js';
import { signCommandMessage } from '../../../../connectors/kafka/commandSigning.js';
import type { Command } from '../../../../operators/control/contracts.js';
import type { CommandIo } from '../../../../runtime/cli/commandIo.js';
import {
  COMMANDS_TAIL_USAGE,
  type CommandReader,
  type CommandsTailArgs,
  type CommandsTailPlacement,
  parseCommandsTailArgs,
  type ReceivedCommand,
  runCommandsTail,
} from '../../../../runtime/cli/commandsTail.js';
import type { SettingsOfJob } from '../../../../runtime/cli/configCheck.js';
import { UsageError } from '../../../../runtime/cli/flags.js';
import { secretRefSchema } from '../../../../runtime/config/jobConfigSchema.js';
import { commandSample } from '../../connectors/avro/contractSamples.js';

const OLD_SECRET = 'old-plant-signing-secret-0123456789-abc';
const NEW_SECRET = 'new-plant-signing-secret-9876543210-xyz';
const NOW = commandSample.decidedAt + 60_000;

function parsed(argv: string[], env: NodeJS.ProcessEnv = {}): CommandsTailArgs {
  const args = parseCommandsTailArgs(argv, env);
  if (args === 'help') throw new Error('help');
  return args;
}

describe('parseCommandsTailArgs', () => {
  it('defaults: from the end, 15 minutes max age, 5 s skew, text lines, no limit', () => {
    const args = parsed(['--key', 'k1=env:K1']);
    expect(args).toMatchObject({ from: 'end', maxAgeMs: 900_000, maxClockSkewMs: 5_000, json: false });
    expect(args.limit).toBeUndefined();
    expect(args.keys.map((k) => [k.keyId, k.ref.describe()])).toEqual([['k1', 'env K1']]);
  });

  it('reads durations in ms, s, m, h and d', () => {
    expect(parsed(['--max-age', '90000']).maxAgeMs).toBe(90_000);
    expect(parsed(['--max-age', '90s']).maxAgeMs).toBe(90_000);
    expect(parsed(['--max-age', '2h']).maxAgeMs).toBe(7_200_000);
    expect(parsed(['--max-age', '1d', '--max-skew', '0']).maxClockSkewMs).toBe(0);
  });

  it('takes several keys from --key and TWINFLOW_COMMAND_KEYS, env and file references', () => {
    const args = parsed(['--key', 'k2=env:NEW_KEY', '--key', 'k1=file:/run/secrets/old'], {
      TWINFLOW_COMMAND_KEYS: 'k0=env:OLDEST_KEY, k9=file:./k9',
    });
    expect(args.keys.map((k) => `${k.keyId} ${k.ref.describe()}`)).toEqual([
      'k2 env NEW_KEY',
      'k1 file /run/secrets/old',
      'k0 env OLDEST_KEY',
      'k9 file ./k9',
    ]);
  });

  it('refuses bad flags with a message naming the flag and value', () => {
    const cases: [string[], RegExp][] = [
      [['--from', 'middle'], /--from must be beginning or end, got "middle"/],
      [['--max-age', 'soon'], /--max-age must be a positive duration .* got "soon"/],
      [['--max-age', '0'], /--max-age must be a positive duration/],
      [['--limit', '0'], /--limit must be a positive integer, got "0"/],
      [['--brokers', 'nope'], /--brokers must be host:port/],
      [['--registry', 'ftp://x'], /--registry must be an http/],
      [
        ['--config', 'job.yaml', '--brokers', 'h:1'],
        /--config gives the brokers and the registry; drop --brokers/,
      ],
      [['--job', 'machine-health'], /--job names the settings of a --config file/],
      [['--key', 'k1=env:A', '--key', 'k1=env:B'], /key id "k1" is given twice/],
      [['--topic', ''], /--topic must not be empty/],
      [['--follow'], /commands tail: Unknown option '--follow'/],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseCommandsTailArgs(argv, {}), argv.join(' ')).toThrow(UsageError);
      expect(() => parseCommandsTailArgs(argv, {}), argv.join(' ')).toThrow(message);
    }
  });

  it('refuses a key given as its secret, without echoing the secret', () => {
    for (const argv of [
      ['--key', `k1=${NEW_SECRET}`],
      ['--key', NEW_SECRET],
    ]) {
      let message = '';
      try {
        parseCommandsTailArgs(argv, {});
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        message = (error as Error).message;
      }
      expect(message).toMatch(/--key must be ID=env:VARIABLE or ID=file:PATH/);
      expect(message).not.toContain(NEW_SECRET);
    }
    expect(() => parseCommandsTailArgs([], { TWINFLOW_COMMAND_KEYS: `k1=${NEW_SECRET}` })).toThrow(
      /TWINFLOW_COMMAND_KEYS must be/,
    );
  });

  it('answers help for -h and --help', () => {
    expect(parseCommandsTailArgs(['-h'], {})).toBe('help');
    expect(parseCommandsTailArgs(['--help', '--key', 'k1=env:K1'], {})).toBe('help');
  });
});

describe('runCommandsTail', () => {
  let serde: AvroSerde<Command>;
  beforeAll(async () => {
    serde = new AvroSerde(new LocalSchemaRegistry(), commandSchema);
    await serde.prepare('commands');
  });

  function message(offset: number, command: Command, keyId: string, secret: string): ReceivedCommand {
    const signed = signCommandMessage(
      { topic: 'commands', key: command.assetId, value: serde.encodeSync('commands', command) },
      { keyId, secret: () => secret },
    );
    const headers: Record<string, Buffer> = {};
    for (const [name, value] of Object.entries(signed.headers ?? {}))
      headers[name] = Buffer.from(value as string);
    return { partition: 0, offset: String(offset), value: signed.value as Buffer, headers };
  }

  /** A reader over fixed messages that records where it was asked to read. */
  function fixedReader(messages: ReceivedCommand[], asked: CommandsTailPlacement[] = []): CommandReader {
    return async (placement, handle) => {
      asked.push(placement);
      for (const m of messages) if (!(await handle(m))) return;
    };
  }

  function io(env: NodeJS.ProcessEnv): CommandIo & { lines: string[]; notes: string[] } {
    const lines: string[] = [];
    const notes: string[] = [];
    return { lines, notes, out: (l) => lines.push(l), err: (l) => notes.push(l), env };
  }

  const decoderFor = () => async (value: Buffer) => (await serde.decode(value)).value;
  const env = { OLD_KEY: OLD_SECRET, NEW_KEY: NEW_SECRET };
  const stream = () => [
    message(0, commandSample, 'k2', NEW_SECRET),
    message(1, commandSample, 'k2', NEW_SECRET), // the replay
    message(2, { ...commandSample, commandId: 'pump-0007:by-old' }, 'k1', OLD_SECRET),
    message(3, { ...commandSample, commandId: 'pump-0007:forged' }, 'k2', OLD_SECRET),
  ];

  it('prints one line per command: accepted with asset, action, commandId, decidedAt and key; rejected with the reason', async () => {
    const out = io(env);
    const asked: CommandsTailPlacement[] = [];
    const code = await runCommandsTail(
      [
        '--key',
        'k2=env:NEW_KEY',
        '--key',
        'k1=env:OLD_KEY',
        '--from',
        'beginning',
        '--topic',
        'plant.commands',
      ],
      out,
      { read: fixedReader(stream(), asked), decoderFor, now: () => NOW },
    );
    expect(code).toBe(0);
    expect(asked).toEqual([
      {
        kafka: { brokers: ['127.0.0.1:19092'] },
        topic: 'plant.commands',
        from: 'beginning',
        group: undefined,
      },
    ]);
    expect(out.lines).toHaveLength(4);
    expect(out.lines[0]).toBe(
      `accepted  pump-0007  REDUCE_LOAD  70%  ${commandSample.commandId}  decided 2026-01-01T00:00:00.123Z  key k2  p0@0`,
    );
    expect(out.lines[1]).toMatch(
      /^rejected {2}replayed {2}p0@1 {2}replayed: command "pump-0007:1767225600123:REDUCE_LOAD"/,
    );
    expect(out.lines[2]).toMatch(/^accepted {2}pump-0007 .* pump-0007:by-old .* key k1 {2}p0@2$/);
    expect(out.lines[3]).toMatch(/^rejected {2}forged {2}p0@3 /);
    const all = [...out.lines, ...out.notes].join('\n');
    expect(all).not.toContain(NEW_SECRET);
    expect(all).not.toContain(OLD_SECRET);
    expect(out.notes[0]).toContain('keys k2, k1');
  });

  it('--json prints one parseable object per verdict; --limit stops after N', async () => {
    const out = io(env);
    await runCommandsTail(['--key', 'k2=env:NEW_KEY', '--json', '--limit', '2'], out, {
      read: fixedReader(stream()),
      decoderFor,
      now: () => NOW,
    });
    const objects = out.lines.map((l) => JSON.parse(l));
    expect(objects).toEqual([
      {
        verdict: 'accepted',
        partition: 0,
        offset: '0',
        assetId: 'pump-0007',
        action: 'REDUCE_LOAD',
        loadLimitPct: 70,
        commandId: commandSample.commandId,
        decidedAt: '2026-01-01T00:00:00.123Z',
        keyId: 'k2',
      },
      expect.objectContaining({
        verdict: 'rejected',
        offset: '1',
        reason: 'replayed',
        commandId: commandSample.commandId,
      }),
    ]);
  });

  it('takes the brokers, topic and signing key from --config, the key through the job settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinflow-tail-'));
    const file = join(dir, 'job.yaml');
    writeFileSync(
      file,
      `job: { name: mh }
kafka: { brokers: ['kafka-0:9092', 'kafka-1:9092'] }
schemaRegistry: { url: 'http://registry:8081' }
topics: { input: telemetry, outputs: { commands: plant.commands } }
clickhouse: { url: 'http://127.0.0.1:18123' }
pipeline:
  commands:
    signing: { keyId: k2, key: { env: COMMAND_SIGNING_KEY } }
`,
    );
    const settingsOf: SettingsOfJob = async () => ({
      job: 'mh',
      settings: {
        schema: z.strictObject({
          commands: z.strictObject({
            signing: z.strictObject({ keyId: z.string(), key: secretRefSchema }).optional(),
          }),
        }),
      },
    });
    const out = io({ COMMAND_SIGNING_KEY: NEW_SECRET, OLD_KEY: OLD_SECRET });
    const asked: CommandsTailPlacement[] = [];
    const registries: string[] = [];
    await runCommandsTail(['--config', file, '--key', 'k1=env:OLD_KEY'], out, {
      settingsOf,
      read: fixedReader(stream(), asked),
      decoderFor: (registry) => {
        registries.push(registry.url);
        return decoderFor();
      },
      now: () => NOW,
    });
    expect(asked[0]?.kafka.brokers).toEqual(['kafka-0:9092', 'kafka-1:9092']);
    expect(asked[0]?.topic).toBe('plant.commands');
    expect(registries).toEqual(['http://registry:8081']);
    expect(out.lines.map((l) => l.split('  ').slice(0, 2).join(' '))).toEqual([
      'accepted pump-0007',
      'rejected replayed',
      'accepted pump-0007',
      'rejected forged',
    ]);
    expect([...out.lines, ...out.notes].join('\n')).not.toContain(NEW_SECRET);
  });

  it('refuses to run without a key, saying where keys come from', async () => {
    await expect(runCommandsTail([], io({}), { read: fixedReader([]), decoderFor })).rejects.toThrow(
      /no key to verify with: give --key ID=env:VARIABLE .*TWINFLOW_COMMAND_KEYS/,
    );
  });

  it('names the variable of a key whose secret is unset, and refuses a short secret by key id only', async () => {
    await expect(
      runCommandsTail(['--key', 'k1=env:MISSING_KEY'], io({}), { read: fixedReader([]), decoderFor }),
    ).rejects.toThrow(/environment variable MISSING_KEY is not set/);
    const short = runCommandsTail(['--key', 'k1=env:SHORT'], io({ SHORT: 'too-short' }), {
      read: fixedReader([]),
      decoderFor,
    });
    await expect(short).rejects.toThrow(/k1 must be at least 32 bytes/);
    await expect(short).rejects.not.toThrow(/too-short/);
  });

  it('prints its usage for --help without reading', async () => {
    const out = io({});
    const asked: CommandsTailPlacement[] = [];
    expect(await runCommandsTail(['--help'], out, { read: fixedReader([], asked) })).toBe(0);
    expect(out.lines).toEqual([COMMANDS_TAIL_USAGE]);
    expect(asked).toEqual([]);
  });
});
