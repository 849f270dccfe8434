import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A credential read from the environment or a file when the config was
 * loaded. Every way an object is usually turned into text (template
 * strings, `String()`, `JSON.stringify`, `console.log`/`util.inspect`, pino)
 * gives `[redacted]`, so logging or printing a config never leaks it; only
 * `reveal()` gives the value, at the one place that hands it to a client.
 *
 * @example
 * const password = new Secret('s3cret', 'env KAFKA_PASSWORD');
 * `${password}`;      // '[redacted]'
 * password.reveal();  // 's3cret'
 */
export class Secret {
  // A private field: not enumerable, so spreading or structuredClone-ing a config cannot copy it out.
  readonly #value: string;

  constructor(
    value: string,
    /** Where the value came from (`env KAFKA_PASSWORD`, `file /var/run/secrets/x`); never the value. */
    readonly origin: string,
  ) {
    this.#value = value;
  }

  /** The value itself; call it only where a client needs the credential. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * Where a secret is to be read from, as written in the config file:
 * `{ env: NAME }` or `{ file: /path }`. A class so the loader can find every
 * reference in a parsed config by `instanceof`, whatever its path.
 *
 * @example
 * const ref = new SecretRef({ env: 'KAFKA_PASSWORD' });
 * ref.describe(); // 'env KAFKA_PASSWORD'
 */
export class SecretRef {
  constructor(readonly source: { readonly env: string } | { readonly file: string }) {}

  describe(): string {
    return 'env' in this.source ? `env ${this.source.env}` : `file ${this.source.file}`;
  }
}

/**
 * A secret reference that cannot be resolved: the variable is unset or
 * empty, the file unreadable or empty. Its message names the variable or
 * file, never a value. Not retriable: the deployment must change.
 *
 * @example
 * try { resolveSecret(new SecretRef({ env: 'NOPE' }), {}, '/etc/twinflow'); }
 * catch (e) { if (e instanceof SecretError) console.error(e.message); } // 'environment variable NOPE is not set'
 */
export class SecretError extends Error {
  override readonly name = 'SecretError';
  readonly retriable = false;
}

/**
 * Reads a secret reference now: from `env`, or from a file (relative paths
 * against `baseDir`, the config file's directory). One trailing newline is
 * dropped from file contents, as `kubectl create secret --from-file` and most
 * editors leave one.
 *
 * @example
 * const s = resolveSecret(new SecretRef({ file: '/var/run/secrets/kafka/password' }), process.env, '.');
 */
export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv, baseDir: string): Secret {
  const source = ref.source;
  if ('env' in source) {
    const value = env[source.env];
    if (value === undefined) throw new SecretError(`environment variable ${source.env} is not set`);
    if (value === '') throw new SecretError(`environment variable ${source.env} is empty`);
    return new Secret(value, ref.describe());
  }
  const path = isAbsolute(source.file) ? source.file : resolve(baseDir, source.file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    // The cause's code (ENOENT, EACCES) says why; the message carries no file contents.
    const code = (cause as NodeJS.ErrnoException).code;
    throw new SecretError(`file ${path} cannot be read${code === undefined ? '' : ` (${code})`}`, { cause });
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new SecretError(`file ${path} is empty`);
  return new Secret(value, `file ${path}`);
}
