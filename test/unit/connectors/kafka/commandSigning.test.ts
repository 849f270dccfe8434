import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { commandSchema } from '../../../../connectors/avro/contractSchemas.js';
import { LocalSchemaRegistry } from '../../../../connectors/avro/localSchemaRegistry.js';
import {
  COMMAND_SIGNATURE_HEADERS,
  CommandSigningError,
  commandSigner,
  type ReceivedHeaders,
  signCommandMessage,
  verifyCommandMessage,
} from '../../../../connectors/kafka/commandSigning.js';
import type { SinkMessage } from '../../../../connectors/kafka/epochBuffer.js';
import { Secret } from '../../../../runtime/config/secret.js';
import { commandSample } from '../avro/contractSamples.js';

const SECRET = 'plant-signing-secret-0123456789-abcdef';
const OTHER_SECRET = 'another-signing-secret-0123456789-xyz';
const key = { keyId: 'plant-2026-01', secret: () => SECRET };
const keyring = (id: string) =>
  id === 'plant-2026-01' ? SECRET : id === 'plant-2025-12' ? OTHER_SECRET : undefined;

let message: SinkMessage;

beforeAll(async () => {
  // The real bytes the sink writes: Confluent wire header + Avro body.
  const serde = new AvroSerde(new LocalSchemaRegistry(), commandSchema);
  await serde.prepare('commands');
  message = {
    topic: 'commands',
    key: commandSample.assetId,
    value: serde.encodeSync('commands', commandSample),
    headers: { traceparent: '00-abc-def-01' },
  };
});

/** Headers as a consumer delivers them: every value a Buffer. */
function asReceived(headers: SinkMessage['headers']): ReceivedHeaders {
  const out: ReceivedHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') out[name] = Buffer.from(value);
  }
  return out;
}

function signed(): SinkMessage & { value: Buffer } {
  const m = signCommandMessage(message, key);
  return m as SinkMessage & { value: Buffer };
}

describe('signCommandMessage', () => {
  it('adds an HMAC-SHA256 over the exact value bytes (wire header included), the key id and the algorithm', () => {
    const m = signed();
    expect(message.value?.[0]).toBe(0); // the Confluent magic byte is part of what is signed
    const expected = createHmac('sha256', SECRET)
      .update(message.value as Buffer)
      .digest('hex');
    expect(m.headers).toEqual({
      traceparent: '00-abc-def-01',
      'twinflow-signature': expected,
      'twinflow-key-id': 'plant-2026-01',
      'twinflow-signature-alg': 'hmac-sha256',
    });
    expect(m.value).toBe(message.value);
    expect(m.topic).toBe('commands');
    expect(m.key).toBe(commandSample.assetId);
  });

  it('leaves the original message unchanged and replaces signature headers already present', () => {
    const before = { ...message.headers };
    const resigned = signCommandMessage(
      signCommandMessage(message, { keyId: 'plant-2025-12', secret: () => OTHER_SECRET }),
      key,
    );
    expect(message.headers).toEqual(before);
    expect(resigned.headers?.[COMMAND_SIGNATURE_HEADERS.keyId]).toBe('plant-2026-01');
    expect(verifyCommandMessage(resigned.value as Buffer, resigned.headers ?? {}, keyring)).toEqual({
      ok: true,
      keyId: 'plant-2026-01',
    });
  });

  it('refuses a tombstone, an empty key id and a missing or short secret', () => {
    expect(() => signCommandMessage({ ...message, value: null }, key)).toThrow(
      /cannot sign a tombstone \(null value\) for topic commands, key pump-0007/,
    );
    expect(() => signCommandMessage(message, { keyId: '', secret: () => SECRET })).toThrow(
      CommandSigningError,
    );
    expect(() => signCommandMessage(message, { keyId: 'k', secret: () => 'short' })).toThrow(
      'secret of command signing key k must be at least 32 bytes',
    );
    const failing = () => {
      throw new Error('vault sealed');
    };
    const error = catchError(() => signCommandMessage(message, { keyId: 'k', secret: failing }));
    expect(error).toBeInstanceOf(CommandSigningError);
    expect(error).toMatchObject({
      keyId: 'k',
      retriable: false,
      message: 'secret of command signing key k cannot be read',
    });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});

describe('verifyCommandMessage', () => {
  it('accepts what signCommandMessage signed and names the key', () => {
    const m = signed();
    expect(verifyCommandMessage(m.value, m.headers ?? {}, keyring)).toEqual({
      ok: true,
      keyId: 'plant-2026-01',
    });
  });

  it('accepts headers given as Buffers, as a Kafka consumer delivers them', () => {
    const m = signed();
    const received = asReceived(m.headers);
    expect(Buffer.isBuffer(received[COMMAND_SIGNATURE_HEADERS.signature])).toBe(true);
    expect(verifyCommandMessage(m.value, received, keyring)).toEqual({ ok: true, keyId: 'plant-2026-01' });
  });

  it('accepts an upper-case hex signature and a header delivered as a one-element array', () => {
    const m = signed();
    const headers = {
      ...m.headers,
      [COMMAND_SIGNATURE_HEADERS.signature]: [
        Buffer.from(String(m.headers?.[COMMAND_SIGNATURE_HEADERS.signature]).toUpperCase()),
      ],
    };
    expect(verifyCommandMessage(m.value, headers, keyring)).toEqual({ ok: true, keyId: 'plant-2026-01' });
  });

  it('rejects a tampered body: one flipped bit anywhere, wire header included', () => {
    const m = signed();
    for (const at of [0, 1, 4, 5, m.value.length - 1]) {
      const tampered = Buffer.from(m.value);
      tampered[at] ^= 0x01;
      expect(verifyCommandMessage(tampered, m.headers ?? {}, keyring)).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
    }
    const truncated = m.value.subarray(0, m.value.length - 1);
    expect(verifyCommandMessage(truncated, m.headers ?? {}, keyring)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('rejects a message signed with another secret under the same key id', () => {
    const m = signCommandMessage(message, { keyId: 'plant-2026-01', secret: () => OTHER_SECRET });
    expect(verifyCommandMessage(m.value as Buffer, m.headers ?? {}, keyring)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('rejects a key id the keyring does not know, or knows with an empty secret, or an empty key id', () => {
    const m = signCommandMessage(message, { keyId: 'retired-2024', secret: () => SECRET });
    expect(verifyCommandMessage(m.value as Buffer, m.headers ?? {}, keyring)).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
    expect(verifyCommandMessage(m.value as Buffer, m.headers ?? {}, () => '')).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
    const s = signed();
    const noKeyId = { ...s.headers, [COMMAND_SIGNATURE_HEADERS.keyId]: undefined };
    expect(verifyCommandMessage(s.value, noKeyId, keyring)).toEqual({ ok: false, reason: 'unknown-key' });
    const emptyKeyId = { ...s.headers, [COMMAND_SIGNATURE_HEADERS.keyId]: Buffer.alloc(0) };
    expect(verifyCommandMessage(s.value, emptyKeyId, keyring)).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('rejects a message without a signature header', () => {
    const s = signed();
    expect(verifyCommandMessage(s.value, {}, keyring)).toEqual({ ok: false, reason: 'missing-signature' });
    expect(verifyCommandMessage(s.value, message.headers ?? {}, keyring)).toEqual({
      ok: false,
      reason: 'missing-signature',
    });
    const emptyArray = { ...s.headers, [COMMAND_SIGNATURE_HEADERS.signature]: [] };
    expect(verifyCommandMessage(s.value, emptyArray, keyring)).toEqual({
      ok: false,
      reason: 'missing-signature',
    });
  });

  it('rejects a missing or different algorithm, so a signature cannot be downgraded', () => {
    const s = signed();
    for (const alg of [undefined, 'none', 'hmac-sha1', 'HMAC-SHA256']) {
      const headers = { ...s.headers, [COMMAND_SIGNATURE_HEADERS.algorithm]: alg };
      expect(verifyCommandMessage(s.value, headers, keyring)).toEqual({
        ok: false,
        reason: 'unsupported-algorithm',
      });
    }
  });

  it('rejects a malformed or repeated signature header', () => {
    const s = signed();
    const sig = String(s.headers?.[COMMAND_SIGNATURE_HEADERS.signature]);
    for (const bad of ['', 'zz', sig.slice(0, 62), `${sig}00`, `${sig.slice(0, 63)}g`, [sig, sig]]) {
      const headers = { ...s.headers, [COMMAND_SIGNATURE_HEADERS.signature]: bad };
      expect(verifyCommandMessage(s.value, headers, keyring)).toEqual({ ok: false, reason: 'bad-signature' });
    }
  });
});

describe('commandSigner', () => {
  it('passes messages through unchanged when signing is not configured', () => {
    const sign = commandSigner(undefined);
    expect(sign(message)).toBe(message);
  });

  it('signs with the configured key, read from a Secret', () => {
    const sign = commandSigner({ keyId: 'plant-2026-01', key: new Secret(SECRET, 'env COMMAND_KEY') });
    const m = sign(message);
    expect(verifyCommandMessage(m.value as Buffer, m.headers ?? {}, keyring)).toEqual({
      ok: true,
      keyId: 'plant-2026-01',
    });
  });

  it('checks the secret once when built, naming the key id and never the secret', () => {
    const weak = 'weak-but-secret-value';
    const error = catchError(() => commandSigner({ keyId: 'plant-2026-01', key: new Secret(weak, 'env K') }));
    expect(error).toBeInstanceOf(CommandSigningError);
    expect((error as Error).message).toBe(
      'secret of command signing key plant-2026-01 must be at least 32 bytes',
    );
    expect(inspect(error)).not.toContain(weak);
    expect(() => commandSigner({ keyId: '', key: new Secret(SECRET, 'env K') })).toThrow(
      'command signing key id is empty',
    );
  });

  it('never shows the secret: not in its toString, inspect, or an error while signing', () => {
    const sign = commandSigner({ keyId: 'plant-2026-01', key: new Secret(SECRET, 'env COMMAND_KEY') });
    expect(String(sign)).toBe('commandSigner(hmac-sha256, key plant-2026-01)');
    expect(inspect(sign)).not.toContain(SECRET);
    const error = catchError(() => sign({ ...message, value: null }));
    expect(error).toBeInstanceOf(CommandSigningError);
    expect(inspect(error)).not.toContain(SECRET);
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(String(error)).not.toContain(SECRET);
  });
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}
