import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { AvroSerde } from '../../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../../connectors/avro/confluentSchemaRegistry.js';
import { commandSchema } from '../../connectors/avro/contractSchemas.js';
import type { CommandSigningKey, ReceivedHeaders } from '../../connectors/kafka/commandSigning.js';
import {
  type CommandDecoder,
  type CommandVerdict,
  CommandVerifier,
} from '../../connectors/kafka/commandVerifier.js';
import { newKafka } from '../../connectors/kafka/kafkaClient.js';
import type { KafkaClientOptions } from '../../connectors/kafka/kafkaClientOptions.js';
import type { Command } from '../../operators/control/contracts.js';
import { type JobConfig, loadJobConfig } from '../config/jobConfig.js';
import { resolveSecret, SecretRef } from '../config/secret.js';
import { kafkaClientOptionsOf } from '../launcher/kafkaClientOptionsOf.js';
import type { CommandIo } from './commandIo.js';
import type { SettingsOfJob } from './configCheck.js';
import { positiveInteger, UsageError } from './flags.js';

/** The environment variable that lists verifying keys, as `--key` does: `ID=env:NAME,ID=file:PATH`. */
export const COMMAND_KEYS_VARIABLE = 'TWINFLOW_COMMAND_KEYS';

export const COMMANDS_TAIL_USAGE = `twinflow commands tail [options]   verify and print the signed commands on the commands topic (read_committed)
  one line per command: accepted with asset, action, commandId, decidedAt and key id, or rejected with
  the reason (forged, unknown-key, bad-algorithm, replayed, too-old, from-the-future, undecodable, unsigned)
  --config FILE     brokers (TLS, SASL), registry, commands topic (topics.outputs.commands) and the signing
                    key (pipeline.commands.signing) from a job config; secrets from the environment or files
  --job NAME        whose settings the config's pipeline: section holds (default: the package's defaultJob)
  --brokers LIST    bootstrap brokers, comma-separated, without --config (default 127.0.0.1:19092)
  --registry URL    Confluent-compatible schema registry, without --config (default http://127.0.0.1:18081/apis/ccompat/v7)
  --topic NAME      commands topic (default: the config's, else "commands")
  --key ID=REF      a key to verify with, repeatable, REF is env:VARIABLE or file:PATH (the secret is
                    never written on the command line); ${COMMAND_KEYS_VARIABLE}="ID=REF,ID=REF" adds more.
                    Several keys at once accept both sides of a rotation; a key id given twice is refused
  --max-age D       refuse commands decided longer ago than D (by decidedAt): 900000 (ms), 90s, 15m, 2h, 1d (default 15m)
  --max-skew D      how far ahead of this clock a decidedAt may be (default 5s)
  --from WHERE      beginning or end of the topic (default end); with --group, only where it has no offsets
  --group ID        consume in this consumer group and commit (default: a fresh group that commits nothing)
  --limit N         stop after N commands (default: until interrupted)
  --json            one JSON object per line instead of text
  exit code 0 when stopped (by --limit or Ctrl-C), 2 for a bad command line`;

/**
 * Where a verifying key's secret is read from: `--key ID=env:NAME` or `ID=file:PATH`.
 *
 * @example
 * const key: CommandKeyRef = { keyId: 'k2', ref: new SecretRef({ env: 'COMMAND_SIGNING_KEY' }) };
 */
export interface CommandKeyRef {
  readonly keyId: string;
  readonly ref: SecretRef;
}

/**
 * A `twinflow commands tail` command line, validated.
 *
 * @example
 * const args = parseCommandsTailArgs(['--key', 'k1=env:K1', '--from', 'beginning'], {}) as CommandsTailArgs;
 * args.maxAgeMs; // 900000
 */
export interface CommandsTailArgs {
  readonly config?: string;
  readonly job?: string;
  readonly brokers?: readonly string[];
  readonly registry?: string;
  readonly topic?: string;
  /** From `--key` then from TWINFLOW_COMMAND_KEYS, in that order. */
  readonly keys: readonly CommandKeyRef[];
  readonly maxAgeMs: number;
  readonly maxClockSkewMs: number;
  readonly from: 'beginning' | 'end';
  readonly group?: string;
  readonly limit?: number;
  readonly json: boolean;
}

const DEFAULT_BROKERS = ['127.0.0.1:19092'];
const DEFAULT_REGISTRY = 'http://127.0.0.1:18081/apis/ccompat/v7';

/**
 * Parses `twinflow commands tail` flags (what follows `tail`), or 'help'
 * for -h/--help. `env` is read only for TWINFLOW_COMMAND_KEYS. Throws
 * UsageError naming the flag and value at fault: an unknown flag, a bad
 * duration, `--from` other than beginning|end, a malformed `--key`, a key
 * id twice, `--brokers`/`--registry` together with `--config`.
 *
 * @example
 * parseCommandsTailArgs(['--key', 'k2=env:NEW_KEY', '--key', 'k1=file:/run/secrets/old', '--json'], process.env);
 */
export function parseCommandsTailArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): CommandsTailArgs | 'help' {
  let values: {
    config?: string;
    job?: string;
    brokers?: string;
    registry?: string;
    topic?: string;
    key?: string[];
    'max-age'?: string;
    'max-skew'?: string;
    from?: string;
    group?: string;
    limit?: string;
    json?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        job: { type: 'string' },
        brokers: { type: 'string' },
        registry: { type: 'string' },
        topic: { type: 'string' },
        key: { type: 'string', multiple: true },
        'max-age': { type: 'string' },
        'max-skew': { type: 'string' },
        from: { type: 'string' },
        group: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`commands tail: ${(error as Error).message}`, { cause: error });
  }
  if (values.help === true) return 'help';
  if (values.config !== undefined) {
    const beside = (['brokers', 'registry'] as const).filter((f) => values[f] !== undefined);
    if (beside.length > 0) {
      throw new UsageError(
        `commands tail: --config gives the brokers and the registry; drop ${beside.map((f) => `--${f}`).join(', ')}`,
      );
    }
  } else if (values.job !== undefined) {
    throw new UsageError('commands tail: --job names the settings of a --config file; give --config too');
  }
  const from = values.from ?? 'end';
  if (from !== 'beginning' && from !== 'end') {
    throw new UsageError(`--from must be beginning or end, got "${from}"`);
  }
  const keys = [
    ...(values.key ?? []).map((text) => parseKeyRef(text, '--key')),
    ...listOf(env[COMMAND_KEYS_VARIABLE]).map((text) => parseKeyRef(text, COMMAND_KEYS_VARIABLE)),
  ];
  const twice = keys.find((k, i) => keys.findIndex((o) => o.keyId === k.keyId) !== i);
  if (twice !== undefined) throw new UsageError(`commands tail: key id "${twice.keyId}" is given twice`);
  const registry = values.registry;
  if (registry !== undefined && (!URL.canParse(registry) || !/^https?:$/.test(new URL(registry).protocol))) {
    throw new UsageError(`--registry must be an http:// or https:// URL, got "${registry}"`);
  }
  return {
    config: values.config,
    job: values.job,
    brokers: values.brokers === undefined ? undefined : brokerList(values.brokers),
    registry,
    topic: nonEmpty('topic', values.topic),
    keys,
    maxAgeMs: durationMs('max-age', values['max-age'], 15 * 60_000, false),
    maxClockSkewMs: durationMs('max-skew', values['max-skew'], 5_000, true),
    from,
    group: nonEmpty('group', values.group),
    limit: values.limit === undefined ? undefined : positiveInteger('limit', values.limit, 0),
    json: values.json === true,
  };
}

/**
 * One received message of the commands topic, as the tail hands it to the verifier.
 *
 * @example
 * const m: ReceivedCommand = { partition: 0, offset: '42', value, headers: { 'twinflow-key-id': Buffer.from('k2') } };
 */
export interface ReceivedCommand {
  readonly partition: number;
  readonly offset: string;
  readonly value: Buffer | null;
  readonly headers: ReceivedHeaders;
}

/**
 * Where and how the tail reads: the cluster, the topic, the start and the
 * group. Secrets (SASL password) stay behind functions.
 */
export interface CommandsTailPlacement {
  readonly kafka: KafkaClientOptions;
  readonly topic: string;
  readonly from: 'beginning' | 'end';
  readonly group?: string;
}

/**
 * Reads the commands topic, handing each message to `handle` in log order
 * per partition, until `handle` answers false or the reader is stopped.
 * The CLI's is a read_committed Kafka consumer; tests give their own.
 */
export type CommandReader = (
  placement: CommandsTailPlacement,
  handle: (message: ReceivedCommand) => Promise<boolean>,
) => Promise<void>;

/** What `runCommandsTail` talks to; each defaults to the real one. */
export interface CommandsTailDeps {
  /** The job settings a `--config` file's pipeline: section is validated with (the job registry's). */
  readonly settingsOf?: SettingsOfJob;
  readonly read?: CommandReader;
  /** How a value becomes a Command (default: AvroSerde over the registry given). */
  readonly decoderFor?: (registry: {
    readonly url: string;
    readonly auth?: { readonly username: string; readonly password: () => string };
  }) => CommandDecoder;
  readonly now?: () => number;
}

/**
 * `twinflow commands tail`: the downstream side of signed commands, for an
 * operator watching what the control systems would obey. Verifies every
 * command on the commands topic (read_committed, so aborted transactions
 * never show) with a CommandVerifier and prints one line per command. Keys
 * come from `--key ID=REF`, from TWINFLOW_COMMAND_KEYS and from the
 * config's `pipeline.commands.signing` (the key the job signs with); only
 * key ids are ever printed. Resolves to the exit code; throws UsageError
 * for a bad command line.
 *
 * @example
 * process.exitCode = await runCommandsTail(['--config', 'job.yaml', '--key', 'k1=env:OLD_KEY', '--from', 'beginning'], processIo());
 * // accepted  pump-0007  REDUCE_LOAD  70%  pump-0007:1767225600123:REDUCE_LOAD  decided 2026-01-01T00:00:00.123Z  key k2  p3@42
 */
export async function runCommandsTail(
  argv: readonly string[],
  io: CommandIo,
  deps: CommandsTailDeps = {},
): Promise<number> {
  const args = parseCommandsTailArgs(argv, io.env);
  if (args === 'help') {
    io.out(COMMANDS_TAIL_USAGE);
    return 0;
  }
  const cwd = process.cwd();
  const keys: CommandSigningKey[] = args.keys.map(({ keyId, ref }) => {
    const secret = resolveSecret(ref, io.env, cwd);
    return { keyId, secret: () => secret.reveal() };
  });
  let kafka: KafkaClientOptions = { brokers: args.brokers ?? DEFAULT_BROKERS };
  let registry: Parameters<NonNullable<CommandsTailDeps['decoderFor']>>[0] = {
    url: args.registry ?? DEFAULT_REGISTRY,
  };
  let topic = args.topic ?? 'commands';
  if (args.config !== undefined) {
    const of = await deps.settingsOf?.(args.job);
    const config = await loadJobConfig(args.config, io.env, of?.settings);
    kafka = kafkaClientOptionsOf(config);
    const password = config.schemaRegistry.password;
    registry = {
      url: config.schemaRegistry.url,
      auth:
        config.schemaRegistry.username === undefined
          ? undefined
          : { username: config.schemaRegistry.username, password: () => password?.reveal() ?? '' },
    };
    topic = args.topic ?? config.topics.outputs.commands ?? 'commands';
    const signing = signingKeyOf(config);
    if (signing !== undefined) {
      if (keys.some((k) => k.keyId === signing.keyId)) {
        throw new UsageError(
          `commands tail: key id "${signing.keyId}" is the config's signing key; do not give it again`,
        );
      }
      keys.push(signing);
    }
  }
  if (keys.length === 0) {
    throw new UsageError(
      `commands tail: no key to verify with: give --key ID=env:VARIABLE (or ID=file:PATH), ${COMMAND_KEYS_VARIABLE}, or a --config whose pipeline.commands.signing names one`,
    );
  }
  const verifier = new CommandVerifier({
    keys,
    maxAgeMs: args.maxAgeMs,
    maxClockSkewMs: args.maxClockSkewMs,
    decode: (deps.decoderFor ?? avroDecoder)(registry),
    now: deps.now,
  });
  io.err(
    `tailing ${topic} from the ${args.from} (read_committed), keys ${verifier.keyIds().join(', ')}, max age ${args.maxAgeMs} ms`,
  );
  let printed = 0;
  await (deps.read ?? readCommittedCommands)(
    { kafka, topic, from: args.from, group: args.group },
    async (message) => {
      const verdict = await verifier.verify(message.value, message.headers);
      io.out(args.json ? verdictJson(verdict, message) : verdictLine(verdict, message));
      printed++;
      return args.limit === undefined || printed < args.limit;
    },
  );
  return 0;
}

/**
 * A verdict as one line of text: `accepted  <asset>  <action>  [limit%]  <commandId>  decided <ISO>  key <id>  p<partition>@<offset>`,
 * or `rejected  <reason>  p<partition>@<offset>  <detail>`.
 *
 * @example
 * verdictLine(verdict, { partition: 3, offset: '42', value, headers }); // 'rejected  replayed  p3@42  replayed: command …'
 */
export function verdictLine(
  verdict: CommandVerdict,
  at: Pick<ReceivedCommand, 'partition' | 'offset'>,
): string {
  const where = `p${at.partition}@${at.offset}`;
  if (!verdict.accepted) return `rejected  ${verdict.reason}  ${where}  ${verdict.detail}`;
  const c = verdict.command;
  const limit = c.loadLimitPct === null ? '' : `  ${c.loadLimitPct}%`;
  return `accepted  ${c.assetId}  ${c.action}${limit}  ${c.commandId}  decided ${isoOf(c.decidedAt)}  key ${verdict.keyId}  ${where}`;
}

/**
 * A verdict as one JSON object: `verdict` is accepted or rejected, with the
 * partition and offset; an accepted one has the command's assetId, action,
 * loadLimitPct, commandId, decidedAt (ISO) and keyId, a rejected one its
 * reason, detail and (when decoded) commandId.
 *
 * @example
 * JSON.parse(verdictJson(verdict, message)).reason; // 'forged'
 */
export function verdictJson(
  verdict: CommandVerdict,
  at: Pick<ReceivedCommand, 'partition' | 'offset'>,
): string {
  if (!verdict.accepted) {
    return JSON.stringify({
      verdict: 'rejected',
      partition: at.partition,
      offset: at.offset,
      reason: verdict.reason,
      commandId: verdict.commandId ?? null,
      detail: verdict.detail,
    });
  }
  const c: Command = verdict.command;
  return JSON.stringify({
    verdict: 'accepted',
    partition: at.partition,
    offset: at.offset,
    assetId: c.assetId,
    action: c.action,
    loadLimitPct: c.loadLimitPct,
    commandId: c.commandId,
    decidedAt: isoOf(c.decidedAt),
    keyId: verdict.keyId,
  });
}

/**
 * The key a job config signs its commands with, as a verifying key:
 * `pipeline.commands.signing` ({ keyId, key: a resolved secret }), the
 * shape machine-health's settings declare. Read by shape, since the runtime
 * does not know a job's settings; undefined when the section has none.
 */
function signingKeyOf(config: JobConfig<unknown>): CommandSigningKey | undefined {
  const commands = (config.pipeline as { commands?: unknown } | undefined)?.commands;
  const signing = (commands as { signing?: unknown } | undefined)?.signing as
    | { keyId?: unknown; key?: unknown }
    | undefined;
  if (signing === undefined || typeof signing.keyId !== 'string') return undefined;
  const key = signing.key as { reveal?: unknown } | undefined;
  if (typeof key?.reveal !== 'function') {
    // Without the job's settings the section is not parsed, so its secret reference is not resolved.
    throw new UsageError(
      `commands tail: the config's pipeline.commands.signing key "${signing.keyId}" is not a resolved secret; name the job whose settings declare it with --job`,
    );
  }
  const secret = key as { reveal(): string };
  return { keyId: signing.keyId, secret: () => secret.reveal() };
}

function avroDecoder(registry: {
  readonly url: string;
  readonly auth?: { readonly username: string; readonly password: () => string };
}): CommandDecoder {
  const serde = new AvroSerde<Command>(
    new ConfluentSchemaRegistry({
      host: registry.url,
      auth: registry.auth,
      clientId: 'twinflow-commands-tail',
    }),
    commandSchema,
  );
  return async (value) => (await serde.decode(value)).value;
}

/**
 * The Kafka reader of the tail: a consumer with isolation read_committed
 * (aborted transactions and open ones are never delivered), its own fresh
 * group that commits nothing unless `--group` names one, started at the
 * beginning or the end (auto.offset.reset, which a fresh group always
 * takes). Stops when `handle` says so or on SIGINT/SIGTERM.
 */
const readCommittedCommands: CommandReader = async (placement, handle) => {
  const consumer = newKafka(placement.kafka).consumer({
    kafkaJS: {
      groupId: placement.group ?? `twinflow-commands-tail-${randomUUID()}`,
      fromBeginning: placement.from === 'beginning',
      readUncommitted: false,
      autoCommit: placement.group !== undefined,
    },
  });
  await consumer.connect();
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await consumer.subscribe({ topics: [placement.topic] });
    await new Promise<void>((resolve, reject) => {
      stop.signal.addEventListener('abort', () => resolve(), { once: true });
      consumer
        .run({
          eachMessage: async ({
            partition,
            message,
          }: {
            partition: number;
            message: { offset: string; value: Buffer | null; headers?: ReceivedHeaders };
          }) => {
            if (stop.signal.aborted) return;
            const more = await handle({
              partition,
              offset: message.offset,
              value: message.value,
              headers: message.headers ?? {},
            });
            if (!more) stop.abort();
          },
        })
        .catch(reject);
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await consumer.disconnect();
  }
};

function parseKeyRef(text: string, from: string): CommandKeyRef {
  const m = /^([^=\s]+)=(env|file):(.+)$/.exec(text.trim());
  if (m === null) {
    // Quote only the part before "=": a secret pasted by mistake must not be echoed back.
    const id = text.includes('=') ? `${text.slice(0, text.indexOf('='))}=…` : '…';
    throw new UsageError(
      `${from} must be ID=env:VARIABLE or ID=file:PATH (the secret itself is never given), got "${id}"`,
    );
  }
  const [, keyId, kind, where] = m as unknown as [string, string, 'env' | 'file', string];
  if (kind === 'env' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(where)) {
    throw new UsageError(`${from} ${keyId}=env:… must name an environment variable`);
  }
  return { keyId, ref: new SecretRef(kind === 'env' ? { env: where } : { file: where }) };
}

function listOf(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function brokerList(text: string): string[] {
  const brokers = listOf(text);
  const bad = brokers.find((b) => !/^[^\s:/]+:\d{1,5}$/.test(b));
  if (brokers.length === 0 || bad !== undefined) {
    throw new UsageError(`--brokers must be host:port[,host:port…], got "${text}"`);
  }
  return brokers;
}

function nonEmpty(flag: string, raw: string | undefined): string | undefined {
  if (raw !== undefined && raw.trim() === '') throw new UsageError(`--${flag} must not be empty`);
  return raw;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration flag: plain milliseconds or a number with ms, s, m, h or d. */
function durationMs(flag: string, raw: string | undefined, fallback: number, zeroAllowed: boolean): number {
  if (raw === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
  const ms = m === null ? Number.NaN : Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] as number);
  if (!Number.isFinite(ms) || ms < 0 || (!zeroAllowed && ms === 0)) {
    throw new UsageError(
      `--${flag} must be a ${zeroAllowed ? '' : 'positive '}duration (900000, 90s, 15m, 2h, 1d), got "${raw}"`,
    );
  }
  return ms;
}

function isoOf(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
