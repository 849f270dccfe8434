import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { SinkMessage } from './epochBuffer.js';

/**
 * Names of the headers a signed command carries. The signature covers the
 * value bytes exactly as written (Confluent wire header and Avro body), not
 * the key or the other headers: the body already names the asset and the
 * command, so a consumer that trusts the body trusts the command.
 *
 * @example
 * const keyId = message.headers?.[COMMAND_SIGNATURE_HEADERS.keyId]?.toString(); // 'plant-2026-01'
 */
export const COMMAND_SIGNATURE_HEADERS = {
  /** Lower-case hex HMAC-SHA256 of the value bytes. */
  signature: 'twinflow-signature',
  /** Which key signed, so keys can be rotated while old commands are still in flight. */
  keyId: 'twinflow-key-id',
  /** Always `hmac-sha256`; a consumer refuses any other, so an attacker cannot downgrade. */
  algorithm: 'twinflow-signature-alg',
} as const;

/**
 * The only algorithm signed and accepted.
 *
 * @example
 * headers[COMMAND_SIGNATURE_HEADERS.algorithm] === COMMAND_SIGNATURE_ALGORITHM; // true on a signed command
 */
export const COMMAND_SIGNATURE_ALGORITHM = 'hmac-sha256';

/**
 * Shortest signing secret accepted, in bytes: RFC 2104 advises against HMAC
 * keys shorter than the hash output (32 bytes for SHA-256).
 *
 * @example
 * Buffer.byteLength(secret, 'utf8') >= MIN_SIGNING_SECRET_BYTES;
 */
export const MIN_SIGNING_SECRET_BYTES = 32;

/**
 * A key that signs commands: its id (sent in a header) and its secret,
 * read through a function only when a message is signed, so it never sits
 * in an object that may be logged.
 *
 * @example
 * const key: CommandSigningKey = { keyId: 'plant-2026-01', secret: () => secret.reveal() };
 */
export interface CommandSigningKey {
  readonly keyId: string;
  readonly secret: () => string;
}

/**
 * A command could not be signed: no value (a tombstone), an empty key id, or a
 * secret that is unreadable or too short. The message names the key id and
 * the topic, never the secret. Not retriable: the configuration or the
 * caller must change.
 *
 * @example
 * try { signCommandMessage(message, key); }
 * catch (e) { if (e instanceof CommandSigningError) log.error({ keyId: e.keyId }, e.message); }
 */
export class CommandSigningError extends Error {
  override readonly name = 'CommandSigningError';
  readonly retriable = false;

  constructor(
    /** Id of the key at fault; never its secret. */
    readonly keyId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why a command's signature was not accepted. */
export type CommandVerifyFailure =
  | 'missing-signature'
  | 'unknown-key'
  | 'bad-signature'
  | 'unsupported-algorithm';

/**
 * Outcome of verifying a command: the id of the key that signed it, or why
 * it must not be obeyed.
 */
export type CommandVerification =
  | { readonly ok: true; readonly keyId: string }
  | { readonly ok: false; readonly reason: CommandVerifyFailure };

/**
 * Headers as a consumer hands them over: strings or Buffers, an array where
 * a header name repeats.
 */
export type ReceivedHeaders = Record<string, string | Buffer | (string | Buffer)[] | undefined>;

/**
 * The message with the command's signature headers added (HMAC-SHA256 of
 * the value bytes, the key id, the algorithm). Other headers are kept;
 * signature headers already present are replaced, so a message can be
 * re-signed with a new key. The message itself is not changed.
 *
 * @example
 * const signed = signCommandMessage(
 *   { topic: 'commands', key: 'pump-1', value: commandSerde.encodeSync('commands', command) },
 *   { keyId: 'plant-2026-01', secret: () => secret.reveal() },
 * );
 * signed.headers?.['twinflow-signature']; // '3f9a…' (64 hex digits)
 */
export function signCommandMessage(message: SinkMessage, key: CommandSigningKey): SinkMessage {
  const { keyId } = key;
  if (keyId === '') throw new CommandSigningError(keyId, 'command signing key id is empty');
  if (message.value === null) {
    throw new CommandSigningError(
      keyId,
      `cannot sign a tombstone (null value) for topic ${message.topic}, key ${message.key.toString()}`,
    );
  }
  const secret = readSecret(key);
  const signature = createHmac('sha256', secret).update(message.value).digest('hex');
  const headers: KafkaJS.IHeaders = {};
  if (message.headers !== undefined) Object.assign(headers, message.headers);
  headers[COMMAND_SIGNATURE_HEADERS.signature] = signature;
  headers[COMMAND_SIGNATURE_HEADERS.keyId] = keyId;
  headers[COMMAND_SIGNATURE_HEADERS.algorithm] = COMMAND_SIGNATURE_ALGORITHM;
  return { ...message, headers };
}

/**
 * Checks a received command's signature against the key its key-id header
 * names (`keys` answers undefined for a key it does not know, e.g. one
 * retired). The algorithm header must be `hmac-sha256`; a header that
 * repeats (an array of more than one value) is refused as ambiguous. The
 * comparison takes the same time wherever the signatures differ.
 *
 * @example
 * const verdict = verifyCommandMessage(message.value, message.headers ?? {}, (id) => keyring.get(id)?.reveal());
 * if (!verdict.ok) deadLetter(message, verdict.reason); // 'bad-signature', …
 */
export function verifyCommandMessage(
  value: Buffer,
  headers: ReceivedHeaders,
  keys: (keyId: string) => string | undefined,
): CommandVerification {
  const signatureHeader = headers[COMMAND_SIGNATURE_HEADERS.signature];
  if (signatureHeader === undefined || (Array.isArray(signatureHeader) && signatureHeader.length === 0)) {
    return fail('missing-signature');
  }
  const sent = single(signatureHeader);
  if (sent === undefined) return fail('bad-signature');
  if (single(headers[COMMAND_SIGNATURE_HEADERS.algorithm]) !== COMMAND_SIGNATURE_ALGORITHM) {
    return fail('unsupported-algorithm');
  }
  const keyId = single(headers[COMMAND_SIGNATURE_HEADERS.keyId]);
  if (keyId === undefined || keyId === '') return fail('unknown-key');
  const secret = keys(keyId);
  if (secret === undefined || secret === '') return fail('unknown-key');
  // A malformed signature cannot match; checking its shape first also gives
  // timingSafeEqual the equal lengths it requires.
  if (!HEX_SHA256.test(sent)) return fail('bad-signature');
  const expected = createHmac('sha256', secret).update(value).digest();
  if (!timingSafeEqual(expected, Buffer.from(sent, 'hex'))) return fail('bad-signature');
  return { ok: true, keyId };
}

/**
 * Signing as the sink applies it, from the job's config: signs every command
 * message with the configured key, or passes messages through unchanged when
 * signing is not configured. The secret is checked once here (present, long
 * enough) and read again for each message; neither errors nor the signer's
 * `toString` ever show it.
 *
 * @example
 * const sign = commandSigner(config.commands.signing); // { keyId: 'plant-2026-01', key: Secret } | undefined
 * buffer.add(sign({ topic: 'commands', key: command.assetId, value: commandSerde.encodeSync('commands', command) }));
 */
export function commandSigner(
  config: { readonly keyId: string; readonly key: { reveal(): string } } | undefined,
): (message: SinkMessage) => SinkMessage {
  if (config === undefined) return passThrough;
  const key: CommandSigningKey = { keyId: config.keyId, secret: () => config.key.reveal() };
  if (key.keyId === '') throw new CommandSigningError(key.keyId, 'command signing key id is empty');
  readSecret(key);
  const sign = (message: SinkMessage): SinkMessage => signCommandMessage(message, key);
  const description = `commandSigner(${COMMAND_SIGNATURE_ALGORITHM}, key ${key.keyId})`;
  // A function's toString is its source; this one says what it signs with instead.
  sign.toString = () => description;
  return sign;
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

const passThrough = (message: SinkMessage): SinkMessage => message;

function fail(reason: CommandVerifyFailure): CommandVerification {
  return { ok: false, reason };
}

/** One header value as text; undefined when absent or repeated (ambiguous). */
function single(value: string | Buffer | (string | Buffer)[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 1 ? value[0].toString() : undefined;
  return value.toString();
}

function readSecret(key: CommandSigningKey): string {
  let secret: string;
  try {
    secret = key.secret();
  } catch (cause) {
    throw new CommandSigningError(key.keyId, `secret of command signing key ${key.keyId} cannot be read`, {
      cause,
    });
  }
  if (typeof secret !== 'string' || Buffer.byteLength(secret, 'utf8') < MIN_SIGNING_SECRET_BYTES) {
    throw new CommandSigningError(
      key.keyId,
      `secret of command signing key ${key.keyId} must be at least ${MIN_SIGNING_SECRET_BYTES} bytes`,
    );
  }
  return secret;
}
