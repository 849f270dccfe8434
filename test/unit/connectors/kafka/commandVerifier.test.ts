import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { commandSchema } from '../../../../connectors/avro/contractSchemas.js';
import { LocalSchemaRegistry } from '../../../../connectors/avro/localSchemaRegistry.js';
import {
  COMMAND_SIGNATURE_HEADERS,
  CommandSigningError,
  type CommandSigningKey,
  type ReceivedHeaders,
  signCommandMessage,
} from '../../../../connectors/kafka/commandSigning.js';
import {
  type CommandVerdict,
  CommandVerifier,
  type CommandVerifierOptions,
} from '../../../../connectors/kafka/commandVerifier.js';
import type { Command } from '../../../../operators/control/contracts.js';
import { commandSample } from '../avro/contractSamples.js';

const OLD_SECRET = 'old-plant-signing-secret-0123456789-abc';
const NEW_SECRET = 'new-plant-signing-secret-9876543210-xyz';
const ROGUE_SECRET = 'rogue-signing-secret-not-in-any-keyring!';
const oldKey: CommandSigningKey = { keyId: 'k1', secret: () => OLD_SECRET };
const newKey: CommandSigningKey = { keyId: 'k2', secret: () => NEW_SECRET };
const SECRETS = [OLD_SECRET, NEW_SECRET, ROGUE_SECRET];

const MINUTE = 60_000;
const NOW = commandSample.decidedAt + MINUTE;

let serde: AvroSerde<Command>;

beforeAll(async () => {
  serde = new AvroSerde(new LocalSchemaRegistry(), commandSchema);
  await serde.prepare('commands');
});

const decode = async (value: Buffer): Promise<Command> => (await serde.decode(value)).value;

function verifier(options: Partial<CommandVerifierOptions> & { clock?: { now: number } } = {}) {
  const clock = options.clock ?? { now: NOW };
  return new CommandVerifier({
    keys: [oldKey, newKey],
    maxAgeMs: 10 * MINUTE,
    decode,
    now: () => clock.now,
    ...options,
  });
}

/** A command as the job writes it: Avro bytes, signed, its headers as a consumer hands them over (Buffers). */
function signedCommand(
  overrides: Partial<Command> = {},
  key: CommandSigningKey = newKey,
): { value: Buffer; headers: ReceivedHeaders } {
  const command = { ...commandSample, ...overrides };
  const signed = signCommandMessage(
    {
      topic: 'commands',
      key: command.assetId,
      value: serde.encodeSync('commands', command),
      headers: { 'twinflow-command-id': command.commandId },
    },
    key,
  );
  const headers: ReceivedHeaders = {};
  for (const [name, value] of Object.entries(signed.headers ?? {})) {
    if (typeof value === 'string') headers[name] = Buffer.from(value);
  }
  return { value: signed.value as Buffer, headers };
}

function expectRejected(verdict: CommandVerdict, reason: string): string {
  expect(verdict.accepted).toBe(false);
  if (verdict.accepted) throw new Error('accepted');
  expect(verdict.reason).toBe(reason);
  expect(verdict.detail.startsWith(`${reason}: `)).toBe(true);
  return verdict.detail;
}

function expectNoSecret(verdict: CommandVerdict): void {
  const text = `${JSON.stringify(verdict)} ${inspect(verdict, { depth: 10 })}`;
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('CommandVerifier', () => {
  it('accepts a signed, fresh command: the decoded command and the key that signed it', async () => {
    const { value, headers } = signedCommand();
    const verdict = await verifier().verify(value, headers);
    expect(verdict).toEqual({ accepted: true, command: commandSample, keyId: 'k2' });
  });

  it('refuses the same command again as replayed, naming its commandId', async () => {
    const v = verifier();
    const { value, headers } = signedCommand();
    expect((await v.verify(value, headers)).accepted).toBe(true);
    const again = await v.verify(value, headers);
    const detail = expectRejected(again, 'replayed');
    expect(detail).toContain(commandSample.commandId);
    expect(again).toMatchObject({ commandId: commandSample.commandId });
    expectNoSecret(again);
  });

  it('refuses a replayed old command as too old, once it left the window and the memory', async () => {
    const clock = { now: NOW };
    const v = verifier({ clock });
    const { value, headers } = signedCommand();
    expect((await v.verify(value, headers)).accepted).toBe(true);
    expect(v.rememberedCount()).toBe(1);
    clock.now = commandSample.decidedAt + 11 * MINUTE;
    const replay = await v.verify(value, headers);
    const detail = expectRejected(replay, 'too-old');
    expect(detail).toContain('11m ago');
    expect(detail).toContain(commandSample.commandId);
    expect(v.rememberedCount()).toBe(0);
  });

  it('refuses a command decided longer than maxAgeMs ago and accepts one exactly at the limit', async () => {
    const v = verifier();
    const old = signedCommand({ commandId: 'pump-0007:old', decidedAt: NOW - 10 * MINUTE - 1 });
    const detail = expectRejected(await v.verify(old.value, old.headers), 'too-old');
    expect(detail).toContain('pump-0007:old');
    expect(detail).toContain('10m');
    const edge = signedCommand({ commandId: 'pump-0007:edge', decidedAt: NOW - 10 * MINUTE });
    expect((await v.verify(edge.value, edge.headers)).accepted).toBe(true);
  });

  it('refuses a command from the future beyond the allowed clock skew; within it, accepts', async () => {
    const v = verifier({ maxClockSkewMs: 5_000 });
    const ahead = signedCommand({ commandId: 'pump-0007:ahead', decidedAt: NOW + 5_001 });
    const detail = expectRejected(await v.verify(ahead.value, ahead.headers), 'from-the-future');
    expect(detail).toContain('pump-0007:ahead');
    expect(detail).toContain('5s ahead');
    const skewed = signedCommand({ commandId: 'pump-0007:skewed', decidedAt: NOW + 5_000 });
    expect((await v.verify(skewed.value, skewed.headers)).accepted).toBe(true);
  });

  it('refuses a forged body (changed after signing) and does not remember its commandId', async () => {
    const v = verifier();
    const genuine = signedCommand();
    const forgedBody = signedCommand({ action: 'SHUTDOWN', loadLimitPct: null });
    // The forger's body with the genuine command's signature headers.
    const verdict = await v.verify(forgedBody.value, genuine.headers);
    const detail = expectRejected(verdict, 'forged');
    expect(detail).toContain('"k2"');
    expectNoSecret(verdict);
    // The genuine command still goes through: the forgery did not use up its id.
    expect((await v.verify(genuine.value, genuine.headers)).accepted).toBe(true);
  });

  it('refuses a command signed with a secret outside the keyring under a known key id as forged', async () => {
    const rogue = signedCommand({}, { keyId: 'k2', secret: () => ROGUE_SECRET });
    const verdict = await verifier().verify(rogue.value, rogue.headers);
    expectRejected(verdict, 'forged');
    expectNoSecret(verdict);
  });

  it('refuses a malformed signature header as forged', async () => {
    const { value, headers } = signedCommand();
    headers[COMMAND_SIGNATURE_HEADERS.signature] = Buffer.from('not-hex');
    expectRejected(await verifier().verify(value, headers), 'forged');
  });

  it('refuses an unknown key id, naming it and the keys that are known', async () => {
    const rogue = signedCommand({}, { keyId: 'k9', secret: () => ROGUE_SECRET });
    const verdict = await verifier().verify(rogue.value, rogue.headers);
    const detail = expectRejected(verdict, 'unknown-key');
    expect(detail).toContain('"k9"');
    expect(detail).toContain('known: k1, k2');
    expectNoSecret(verdict);
  });

  it('accepts old and new keys while both are in the keyring, and refuses the old once it is removed', async () => {
    const v = verifier();
    const byOld = signedCommand({ commandId: 'pump-0007:by-old' }, oldKey);
    const byNew = signedCommand({ commandId: 'pump-0007:by-new' }, newKey);
    expect(await v.verify(byOld.value, byOld.headers)).toMatchObject({ accepted: true, keyId: 'k1' });
    expect(await v.verify(byNew.value, byNew.headers)).toMatchObject({ accepted: true, keyId: 'k2' });

    expect(v.removeKey('k1')).toBe(true);
    expect(v.keyIds()).toEqual(['k2']);
    const lateByOld = signedCommand({ commandId: 'pump-0007:late-by-old' }, oldKey);
    const detail = expectRejected(await v.verify(lateByOld.value, lateByOld.headers), 'unknown-key');
    expect(detail).toContain('"k1"');
    const laterByNew = signedCommand({ commandId: 'pump-0007:later-by-new' }, newKey);
    expect((await v.verify(laterByNew.value, laterByNew.headers)).accepted).toBe(true);
  });

  it('accepts a key added to the keyring for a rotation', async () => {
    const v = verifier({ keys: [oldKey] });
    const byNew = signedCommand({}, newKey);
    expectRejected(await v.verify(byNew.value, byNew.headers), 'unknown-key');
    v.addKey(newKey);
    expect((await v.verify(byNew.value, byNew.headers)).accepted).toBe(true);
  });

  it('refuses a tampered key-id header: pointed at the other key, forged; at an unknown one, unknown-key', async () => {
    const v = verifier();
    const { value, headers } = signedCommand({}, newKey);
    const pointedAtOld = { ...headers, [COMMAND_SIGNATURE_HEADERS.keyId]: Buffer.from('k1') };
    const detail = expectRejected(await v.verify(value, pointedAtOld), 'forged');
    expect(detail).toContain('"k1"');
    const pointedAway = { ...headers, [COMMAND_SIGNATURE_HEADERS.keyId]: Buffer.from('k3') };
    expectRejected(await v.verify(value, pointedAway), 'unknown-key');
    const repeated = {
      ...headers,
      [COMMAND_SIGNATURE_HEADERS.keyId]: [Buffer.from('k2'), Buffer.from('k1')],
    };
    expectRejected(await v.verify(value, repeated), 'unknown-key');
  });

  it('refuses a tampered algorithm header (a downgrade or a repeat) as bad-algorithm', async () => {
    const v = verifier();
    const { value, headers } = signedCommand();
    const downgraded = { ...headers, [COMMAND_SIGNATURE_HEADERS.algorithm]: Buffer.from('none') };
    const detail = expectRejected(await v.verify(value, downgraded), 'bad-algorithm');
    expect(detail).toContain('"none"');
    const without = { ...headers };
    delete without[COMMAND_SIGNATURE_HEADERS.algorithm];
    expectRejected(await v.verify(value, without), 'bad-algorithm');
    const repeated = {
      ...headers,
      [COMMAND_SIGNATURE_HEADERS.algorithm]: [Buffer.from('hmac-sha256'), Buffer.from('none')],
    };
    expectRejected(await v.verify(value, repeated), 'bad-algorithm');
  });

  it('refuses a tampered twinflow-command-id header that contradicts the signed body as forged', async () => {
    const { value, headers } = signedCommand();
    const tampered = { ...headers, 'twinflow-command-id': Buffer.from('pump-0007:someone-else') };
    const detail = expectRejected(await verifier().verify(value, tampered), 'forged');
    expect(detail).toContain('pump-0007:someone-else');
    expect(detail).toContain(commandSample.commandId);
  });

  it('refuses an unsigned command and a tombstone as unsigned', async () => {
    const v = verifier();
    const unsigned = serde.encodeSync('commands', commandSample);
    expectRejected(await v.verify(unsigned, {}), 'unsigned');
    expectRejected(await v.verify(null, {}), 'unsigned');
  });

  it('refuses signed bytes that are not a Command as undecodable, with the decoder’s reason', async () => {
    const garbage = signCommandMessage(
      { topic: 'commands', key: 'pump-0007', value: Buffer.from('not avro at all') },
      newKey,
    );
    const headers: ReceivedHeaders = {};
    for (const [name, value] of Object.entries(garbage.headers ?? {})) headers[name] = value as string;
    const verdict = await verifier().verify(garbage.value as Buffer, headers);
    const detail = expectRejected(verdict, 'undecodable');
    expect(detail).toContain('k2');
    expect(detail).toContain('bad-magic-byte');
    expectNoSecret(verdict);
  });

  it('never puts a secret into any verdict', async () => {
    const v = verifier();
    const cases: { value: Buffer; headers: ReceivedHeaders }[] = [
      signedCommand(),
      signedCommand(),
      signedCommand({ commandId: 'old', decidedAt: NOW - 20 * MINUTE }),
      signedCommand({ commandId: 'future', decidedAt: NOW + 20 * MINUTE }),
      signedCommand({ commandId: 'rogue' }, { keyId: 'k2', secret: () => ROGUE_SECRET }),
      signedCommand({ commandId: 'unknown' }, { keyId: 'kx', secret: () => ROGUE_SECRET }),
    ];
    const verdicts = [];
    for (const c of cases) verdicts.push(await v.verify(c.value, c.headers));
    expect(verdicts.map((x) => (x.accepted ? 'accepted' : x.reason))).toEqual([
      'accepted',
      'replayed',
      'too-old',
      'from-the-future',
      'forged',
      'unknown-key',
    ]);
    for (const verdict of verdicts) expectNoSecret(verdict);
    expect(inspect(v, { depth: 10 })).not.toContain(NEW_SECRET);
  });

  it('forgets ids once they are out of the age window, so memory holds one window of commands', async () => {
    const clock = { now: NOW };
    const v = verifier({ clock });
    const sent = [];
    for (const i of [2, 0, 4, 1, 3]) {
      const c = signedCommand({ commandId: `pump-0007:${i}`, decidedAt: NOW - i * MINUTE });
      sent[i] = c;
      expect((await v.verify(c.value, c.headers)).accepted).toBe(true);
    }
    expect(v.rememberedCount()).toBe(5);
    clock.now = NOW + 7 * MINUTE + 1; // ids decided more than 10 minutes before now: 3 and 4
    const fresh = signedCommand({ commandId: 'pump-0007:fresh', decidedAt: clock.now });
    expect((await v.verify(fresh.value, fresh.headers)).accepted).toBe(true);
    expect(v.rememberedCount()).toBe(4);
    const two = sent[2] as { value: Buffer; headers: ReceivedHeaders };
    const three = sent[3] as { value: Buffer; headers: ReceivedHeaders };
    expectRejected(await v.verify(two.value, two.headers), 'replayed');
    expectRejected(await v.verify(three.value, three.headers), 'too-old');
  });

  it('with a full memory, refuses whatever it forgot early as too old rather than obeying it twice', async () => {
    const v = verifier({ maxRemembered: 2 });
    const first = signedCommand({ commandId: 'pump-0007:a', decidedAt: NOW - 3 * MINUTE });
    const second = signedCommand({ commandId: 'pump-0007:b', decidedAt: NOW - 2 * MINUTE });
    const third = signedCommand({ commandId: 'pump-0007:c', decidedAt: NOW - MINUTE });
    for (const c of [first, second, third]) expect((await v.verify(c.value, c.headers)).accepted).toBe(true);
    expect(v.rememberedCount()).toBe(2);
    const detail = expectRejected(await v.verify(first.value, first.headers), 'too-old');
    expect(detail).toContain('full memory of 2 ids');
    expectRejected(await v.verify(second.value, second.headers), 'replayed');
  });

  it('does not bring forgotten ids back when the clock steps backwards', async () => {
    const clock = { now: NOW };
    const v = verifier({ clock });
    const c = signedCommand();
    expect((await v.verify(c.value, c.headers)).accepted).toBe(true);
    clock.now = commandSample.decidedAt + 20 * MINUTE;
    expectRejected(await v.verify(c.value, c.headers), 'too-old');
    clock.now = NOW;
    expectRejected(await v.verify(c.value, c.headers), 'too-old');
  });

  it('refuses a bad keyring when built: no key, a duplicate id, a short or unreadable secret (naming the id only)', () => {
    expect(() => verifier({ keys: [] })).toThrow(/no key/);
    expect(() => verifier({ keys: [newKey, { keyId: 'k2', secret: () => OLD_SECRET }] })).toThrow(
      /k2 is in the keyring twice/,
    );
    const short = () => verifier({ keys: [{ keyId: 'k7', secret: () => 'short-secret' }] });
    expect(short).toThrow(CommandSigningError);
    expect(short).toThrow(/k7 must be at least 32 bytes/);
    try {
      short();
    } catch (error) {
      expect((error as Error).message).not.toContain('short-secret');
    }
    const unreadable = () =>
      verifier({
        keys: [
          {
            keyId: 'k8',
            secret: () => {
              throw new Error('vault down');
            },
          },
        ],
      });
    expect(unreadable).toThrow(/k8 cannot be read/);
    expect(() => verifier({ maxAgeMs: 0 })).toThrow(/maxAgeMs/);
    expect(() => verifier({ maxClockSkewMs: -1 })).toThrow(/maxClockSkewMs/);
    expect(() => verifier({ maxRemembered: 0 })).toThrow(/maxRemembered/);
  });
});
