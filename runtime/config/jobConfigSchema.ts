import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_EVENT_TIME_BOUNDS } from '../../operators/time/eventTimeBounds.js';
import type { Secret } from './secret.js';
import { SecretRef } from './secret.js';

/**
 * The shape of a job config file. Objects are strict, so a misspelt key is
 * an error rather than a silently ignored setting with its default in force.
 * Defaults that derive from other settings (`job.groupId`,
 * `topics.changelog`) are filled in here; what needs the outside world
 * (secrets, `job.instanceId` from the pod name, relative paths) is done by
 * the loader in jobConfig.ts.
 */

const positiveInt = (what = 'a positive integer') =>
  z.int({ error: `must be ${what}` }).positive(`must be ${what}`);
const path = () => z.string({ error: 'must be a file path' }).min(1, 'must be a file path');
const httpUrl = () =>
  z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    // Credentials in a URL end up in logs and error messages; they belong in username/password.
    .refine(
      (u) => !/^[a-z]+:\/\/[^/]*@/i.test(u),
      'must not contain credentials (use username and password)',
    );

/** Kafka's legal topic (and group) name characters, which job.name also feeds into. */
const kafkaName = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be 1-249 letters, digits, ".", "_" or "-" (a legal Kafka name)');

const broker = z.string({ error: 'must be a host:port string' }).refine((s) => {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(s);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}, 'must be host:port with a port 1-65535');

/**
 * A secret written as a reference, never inline: `{ env: NAME }` or
 * `{ file: /path }`. Parsed into a `SecretRef`, which the loader resolves
 * into a `Secret`.
 *
 * @example
 * secretRefSchema.parse({ env: 'KAFKA_PASSWORD' }) instanceof SecretRef; // true
 */
export const secretRefSchema = z
  .union(
    [
      z.strictObject({
        env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'),
      }),
      z.strictObject({ file: z.string().min(1) }),
    ],
    // The default union message would say nothing useful, and quoting the input could quote a password.
    { error: 'must be a secret reference, { env: NAME } or { file: /path }, not the secret itself' },
  )
  .transform((source) => new SecretRef(source));

const certFiles = {
  caFile: path().optional(),
  certFile: path().optional(),
  keyFile: path().optional(),
};

const clientCertPair = (tls: { certFile?: string; keyFile?: string }): boolean =>
  (tls.certFile === undefined) === (tls.keyFile === undefined);
const clientCertPairMessage = {
  message: 'certFile and keyFile go together (a client certificate needs its key)',
  path: ['certFile'],
};

const jobSection = z
  .strictObject({
    name: kafkaName,
    // The loader fills this from POD_NAME or HOSTNAME first: it must be stable per instance, since it
    // names the transactional id (fencing a zombie predecessor) and group.instance.id (static membership).
    instanceId: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, ".", "_" or "-"')
      .default('local-0'),
    groupId: kafkaName.optional(),
  })
  .transform((job) => ({ ...job, groupId: job.groupId ?? job.name }));

const kafkaSection = z.strictObject({
  brokers: z.array(broker, { error: 'must be a list of host:port' }).min(1, 'must list at least one broker'),
  clientId: z.string().min(1).default('twinflow'),
  sasl: z
    .strictObject({
      mechanism: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']),
      username: z.string().min(1),
      password: secretRefSchema,
    })
    .optional(),
  tls: z
    .strictObject({
      enabled: z.boolean().default(true),
      ...certFiles,
      rejectUnauthorized: z.boolean().default(true),
    })
    .refine(clientCertPair, clientCertPairMessage)
    .optional(),
});

const schemaRegistrySection = z
  .strictObject({
    url: httpUrl(),
    username: z.string().min(1).optional(),
    password: secretRefSchema.optional(),
  })
  .refine((r) => r.password === undefined || r.username !== undefined, {
    message: 'a password needs a username',
    path: ['username'],
  });

/** A key the topics section no longer takes, refused with where its setting went. */
const renamed = (to: string) => z.never({ error: `was renamed: use ${to}` }).optional();

const topicsSection = z.strictObject({
  /** The topic the job reads: no default, since no name would suit every job. */
  input: z
    .string({
      error: (issue) =>
        issue.input === undefined ? 'is required: the topic the job reads' : 'must be a string',
    })
    .pipe(kafkaName),
  /**
   * A job's Kafka outputs by name, to the topic each writes (an output not
   * named here writes the topic its job definition gives).
   */
  outputs: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must be an output name'), kafkaName)
    .default({}),
  /** Default `<job.name>-state`, filled in by the top-level transform. */
  changelog: kafkaName.optional(),
  /** Default `<input>-dlq`, filled in by the top-level transform. */
  deadLetter: kafkaName.optional(),
  partitions: positiveInt().default(6),
  replicationFactor: positiveInt().default(1),
  telemetry: renamed('topics.input'),
  commands: renamed('topics.outputs.commands'),
});

const clickhouseSection = z.strictObject({
  url: httpUrl(),
  database: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]*$/,
      'must be an identifier: letters, digits and "_", not starting with a digit',
    )
    .default('twinflow'),
  username: z.string().min(1).default('default'),
  password: secretRefSchema.optional(),
  tls: z.strictObject(certFiles).refine(clientCertPair, clientCertPairMessage).optional(),
});

const epochsSection = z.strictObject({
  intervalMs: positiveInt().default(1000),
  maxRecords: positiveInt().default(5000),
});

/**
 * How far a record's event time may stray before it is dead-lettered
 * (operators/time/eventTimeBounds.ts): ahead of processing time, and behind
 * its partition's watermark. A bad device clock then cannot push the
 * watermark ahead and make every later record late.
 */
const eventTimeSection = z.strictObject({
  maxAheadMs: positiveInt().default(DEFAULT_EVENT_TIME_BOUNDS.maxAheadMs),
  maxBehindMs: positiveInt().default(DEFAULT_EVENT_TIME_BOUNDS.maxBehindMs),
});

/**
 * A job's own section (`pipeline:`) when no job says what it holds: any
 * mapping. A job that declares its settings (JobSettings) gets them
 * validated, with defaults, instead.
 */
const anySettings = z.record(z.string(), z.unknown(), {
  error: "must be a mapping of the job's own settings",
});

/** pino's levels, most verbose first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/**
 * A pino log level a config may set.
 *
 * @example
 * const level: LogLevel = 'debug';
 */
export type LogLevel = (typeof LOG_LEVELS)[number];

const observabilitySection = z.strictObject({
  /**
   * The address the HTTP server (/metrics, probes, the live view) listens on.
   * Loopback by default, so a job run on a workstation is not reachable from
   * the network; a container sets 0.0.0.0, since its Service, the kubelet's
   * probes and Prometheus reach it from outside its network namespace.
   */
  host: z
    .string({ error: 'must be an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0' })
    .refine((h) => isIP(h) !== 0, 'must be an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0')
    .default('127.0.0.1'),
  port: z
    .int({ error: 'must be a TCP port' })
    .min(0, 'must be 0-65535')
    .max(65535, 'must be 0-65535')
    .default(9464),
  logLevel: z.enum(LOG_LEVELS).default('info'),
});

/**
 * The job config file with `settings` as its `pipeline:` section, validated
 * and with defaults applied (sections that are all defaults may be left
 * out). Secrets come out as `SecretRef`s and paths as written;
 * `parseJobConfig` resolves both.
 *
 * @example
 * const r = jobConfigSchemaFor(machineHealthSettings.schema).safeParse(yaml.parse(text));
 * if (r.success) r.data.pipeline.tickMs; // 30000
 */
export function jobConfigSchemaFor<S extends z.ZodType>(settings: S) {
  return z
    .strictObject({
      job: jobSection,
      kafka: kafkaSection,
      schemaRegistry: schemaRegistrySection,
      topics: topicsSection,
      clickhouse: clickhouseSection,
      epochs: epochsSection.prefault({}),
      eventTime: eventTimeSection.prefault({}),
      pipeline: settings.prefault({} as z.input<S>),
      // Signing and bounds of commands are machine-health's, not every job's: its settings hold them now.
      commands: z.never({ error: "moved to the job's own settings: pipeline.commands" }).optional(),
      observability: observabilitySection.prefault({}),
    })
    .transform(({ commands: _moved, ...config }) => ({
      ...config,
      topics: {
        input: config.topics.input,
        outputs: config.topics.outputs,
        changelog: config.topics.changelog ?? `${config.job.name}-state`,
        deadLetter: config.topics.deadLetter ?? `${config.topics.input}-dlq`,
        partitions: config.topics.partitions,
        replicationFactor: config.topics.replicationFactor,
      },
    }));
}

/**
 * The job config file of a job that does not declare its settings: the
 * runtime's sections validated, `pipeline:` any mapping.
 *
 * @example
 * const r = jobConfigSchema.safeParse(yaml.parse(text));
 * if (r.success) r.data.topics.changelog; // 'machine-health-state'
 */
export const jobConfigSchema = jobConfigSchemaFor(anySettings);

/** A parsed config with every `SecretRef` replaced by the `Secret` it names. */
type WithSecrets<T> = T extends SecretRef
  ? Secret
  : T extends readonly (infer U)[]
    ? WithSecrets<U>[]
    : T extends object
      ? { [K in keyof T]: WithSecrets<T[K]> }
      : T;

/**
 * A job's config as the runtime uses it: validated, defaults applied,
 * secrets resolved, relative paths made absolute against the file's folder.
 *
 * @example
 * const config: JobConfig = await loadJobConfig('job.yaml');
 * config.kafka.sasl?.password.reveal();
 */
export type JobConfig<S = Record<string, unknown>> = WithSecrets<
  Omit<z.output<typeof jobConfigSchema>, 'pipeline'>
> & {
  /** The job's own settings; secret references in them are resolved like the runtime's. */
  readonly pipeline: WithSecrets<S>;
};
