import type { Command } from '../../operators/control/contracts.js';
import {
  COMMAND_SIGNATURE_HEADERS,
  CommandSigningError,
  type CommandSigningKey,
  MIN_SIGNING_SECRET_BYTES,
  type ReceivedHeaders,
  verifyCommandMessage,
} from './commandSigning.js';

/**
 * Why a received command must not be obeyed:
 * - `unsigned`: no signature header;
 * - `bad-algorithm`: the algorithm header is not `hmac-sha256` (or repeats), so a downgrade is refused;
 * - `unknown-key`: the key-id header names no key of the keyring (a retired or made-up key), or is missing;
 * - `forged`: the signature does not match the value under the named key (a forged or altered body, a
 *   key-id header pointed at another key, a malformed or repeated signature), or a header the job sets
 *   beside the signature (`twinflow-command-id`) contradicts the signed body;
 * - `undecodable`: signed, but not a Command in the Avro contract;
 * - `too-old`: decided longer than `maxAgeMs` ago (or before what the bounded memory still covers);
 * - `from-the-future`: decided more than `maxClockSkewMs` ahead of this clock;
 * - `replayed`: its commandId was accepted before, within the window.
 */
export type CommandRejection =
  | 'unsigned'
  | 'bad-algorithm'
  | 'unknown-key'
  | 'forged'
  | 'undecodable'
  | 'too-old'
  | 'from-the-future'
  | 'replayed';

/**
 * What a control system does with one received command: obey it (the
 * decoded command and the key that signed it), or refuse it with the reason
 * and a detail naming the key id, the commandId and the ages — never a
 * secret or the signature.
 *
 * @example
 * const verdict: CommandVerdict = await verifier.verify(message.value, message.headers ?? {});
 * if (verdict.accepted) actuate(verdict.command); else log.warn(verdict.detail); // 'replayed: command pump-1@1000:SHUTDOWN …'
 */
export type CommandVerdict =
  | { readonly accepted: true; readonly command: Command; readonly keyId: string }
  | {
      readonly accepted: false;
      readonly reason: CommandRejection;
      readonly detail: string;
      /** The body's commandId when the body was verified and decoded; undefined before that. */
      readonly commandId?: string;
    };

/**
 * How a verifier reads the signed value bytes (Confluent wire header and
 * Avro body) as a Command: `AvroSerde.decode`, or a test's own. Throws (or
 * rejects) for bytes that are not one.
 *
 * @example
 * const serde = new AvroSerde(new ConfluentSchemaRegistry({ host: registryUrl }), commandSchema);
 * const decode: CommandDecoder = async (value) => (await serde.decode(value)).value;
 */
export type CommandDecoder = (value: Buffer) => Command | Promise<Command>;

/**
 * Options of a CommandVerifier.
 *
 * @example
 * const options: CommandVerifierOptions = {
 *   keys: [{ keyId: 'k2', secret: () => k2.reveal() }, { keyId: 'k1', secret: () => k1.reveal() }],
 *   maxAgeMs: 15 * 60_000,
 *   decode: async (value) => (await serde.decode(value)).value,
 * };
 */
export interface CommandVerifierOptions {
  /** The keys accepted now, several at once while a rotation is under way; ids must differ. */
  readonly keys: readonly CommandSigningKey[];
  /** Oldest decision obeyed, in ms before `now()` (by the command's decidedAt). */
  readonly maxAgeMs: number;
  /** How far a decidedAt may lie ahead of `now()` (the job's clock and this one disagree a little); default 5 000. */
  readonly maxClockSkewMs?: number;
  /**
   * Most commandIds remembered at once (default 100 000). Ids leave the
   * memory when their decidedAt falls out of the age window, since those are
   * refused by age anyway. Should more commands than this arrive within one
   * window, the oldest are forgotten and everything decided at or before
   * them is refused as too old, so a forgotten id can still never be
   * obeyed twice.
   */
  readonly maxRemembered?: number;
  readonly decode: CommandDecoder;
  /** Wall clock (epoch ms); injected for tests. */
  readonly now?: () => number;
}

/** The header the job sets beside the signature with the body's commandId (see pipelines' command sink). */
const COMMAND_ID_HEADER = 'twinflow-command-id';

/**
 * The downstream side of a signed command: what a control system consuming
 * the commands topic runs before it obeys one. It checks the HMAC with the
 * key its key-id header names (several keys live at once, for rotation:
 * `addKey`, `removeKey`), decodes the Avro body, and refuses a command
 * decided longer than `maxAgeMs` ago or ahead of its clock, and one whose
 * commandId it accepted before. The signature is checked first, so nothing
 * unsigned or forged is decoded or remembered: a forger cannot use up a
 * genuine command's id.
 *
 * Replay protection is complete within the window: an id is remembered
 * until its decidedAt leaves the window, and from then on the age check
 * refuses it. The age floor never moves back, so a wall clock stepped
 * backwards does not bring forgotten ids back into the window. The memory
 * is bounded (`maxRemembered`): when more commands than that arrive within
 * one window, the floor is raised past the oldest forgotten one.
 *
 * Verify a topic's commands in their log order, one at a time.
 *
 * @example
 * const verifier = new CommandVerifier({ keys, maxAgeMs: 900_000, decode });
 * const verdict = await verifier.verify(message.value, message.headers ?? {});
 * if (verdict.accepted) actuate(verdict.command);
 * else log.warn({ reason: verdict.reason }, verdict.detail); // 'too-old', 'command pump-1@… decided 20m ago, …'
 */
export class CommandVerifier {
  private readonly keys = new Map<string, CommandSigningKey>();
  private readonly maxAgeMs: number;
  private readonly maxClockSkewMs: number;
  private readonly maxRemembered: number;
  private readonly decode: CommandDecoder;
  private readonly now: () => number;
  private readonly seen = new Map<string, number>();
  /** The remembered ids by decidedAt, oldest first: which to forget next. */
  private readonly byAge = new DecidedAtHeap();
  /** Commands decided before this are refused as too old; it only moves forward. */
  private ageFloor = Number.NEGATIVE_INFINITY;
  /** The latest decidedAt forgotten because the memory was full; commands at or before it are refused. */
  private capacityFloor = Number.NEGATIVE_INFINITY;

  constructor(options: CommandVerifierOptions) {
    const { maxAgeMs, maxClockSkewMs = 5_000, maxRemembered = 100_000 } = options;
    if (!(Number.isFinite(maxAgeMs) && maxAgeMs > 0)) {
      throw new RangeError(`CommandVerifier: maxAgeMs must be a positive number of ms, got ${maxAgeMs}`);
    }
    if (!(Number.isFinite(maxClockSkewMs) && maxClockSkewMs >= 0)) {
      throw new RangeError(`CommandVerifier: maxClockSkewMs must be a number >= 0, got ${maxClockSkewMs}`);
    }
    if (!(Number.isSafeInteger(maxRemembered) && maxRemembered > 0)) {
      throw new RangeError(`CommandVerifier: maxRemembered must be a positive integer, got ${maxRemembered}`);
    }
    if (options.keys.length === 0) throw new RangeError('CommandVerifier: the keyring has no key');
    this.maxAgeMs = maxAgeMs;
    this.maxClockSkewMs = maxClockSkewMs;
    this.maxRemembered = maxRemembered;
    this.decode = options.decode;
    this.now = options.now ?? Date.now;
    for (const key of options.keys) this.addKey(key);
  }

  /**
   * Adds a key to the keyring (the new key of a rotation, before the job
   * signs with it). Its secret is read once here to check it is at least
   * MIN_SIGNING_SECRET_BYTES long, then again for each command it verifies.
   * Throws CommandSigningError (naming the key id) for an empty id, an id
   * already in the keyring, or an unreadable or short secret.
   */
  addKey(key: CommandSigningKey): void {
    const { keyId } = key;
    if (keyId === '') throw new CommandSigningError(keyId, 'command verifying key id is empty');
    if (this.keys.has(keyId)) {
      throw new CommandSigningError(keyId, `command verifying key ${keyId} is in the keyring twice`);
    }
    let secret: unknown;
    try {
      secret = key.secret();
    } catch (cause) {
      throw new CommandSigningError(keyId, `secret of command verifying key ${keyId} cannot be read`, {
        cause,
      });
    }
    if (typeof secret !== 'string' || Buffer.byteLength(secret, 'utf8') < MIN_SIGNING_SECRET_BYTES) {
      throw new CommandSigningError(
        keyId,
        `secret of command verifying key ${keyId} must be at least ${MIN_SIGNING_SECRET_BYTES} bytes`,
      );
    }
    this.keys.set(keyId, key);
  }

  /** Retires a key: commands signed with it are refused as `unknown-key` from now on. */
  removeKey(keyId: string): boolean {
    return this.keys.delete(keyId);
  }

  /** Ids of the keys accepted now. */
  keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** How many commandIds are remembered now. */
  rememberedCount(): number {
    return this.seen.size;
  }

  /**
   * The verdict on one received command: its value bytes exactly as read
   * and its headers as the consumer hands them over. An accepted command's
   * id is remembered, so the same command again is `replayed`.
   */
  async verify(value: Buffer | null | undefined, headers: ReceivedHeaders): Promise<CommandVerdict> {
    if (value === null || value === undefined) {
      return reject('unsigned', 'a tombstone (no value) is not a command');
    }
    const keyIdSent = describeHeader(headers[COMMAND_SIGNATURE_HEADERS.keyId]);
    const signature = verifyCommandMessage(value, headers, (keyId) => this.keys.get(keyId)?.secret());
    if (!signature.ok) {
      switch (signature.reason) {
        case 'missing-signature':
          return reject('unsigned', `no twinflow-signature header (key id ${keyIdSent})`);
        case 'unsupported-algorithm':
          return reject(
            'bad-algorithm',
            `signature algorithm ${describeHeader(headers[COMMAND_SIGNATURE_HEADERS.algorithm])} is not hmac-sha256 (key id ${keyIdSent})`,
          );
        case 'unknown-key':
          return reject(
            'unknown-key',
            `key id ${keyIdSent} is not in the keyring (known: ${this.keyIds().join(', ')})`,
          );
        case 'bad-signature':
          return reject('forged', `signature does not match the value under key ${keyIdSent}`);
      }
    }
    const { keyId } = signature;

    let command: Command;
    try {
      command = await this.decode(value);
    } catch (error) {
      return reject(
        'undecodable',
        `signed by key ${keyId} but not a Command: ${firstLine(error instanceof Error ? error.message : String(error))}`,
      );
    }
    if (command === null || typeof command !== 'object' || typeof command.commandId !== 'string') {
      return reject('undecodable', `signed by key ${keyId} but the body has no commandId`);
    }
    const { commandId, decidedAt } = command;
    const what = `command ${quoted(commandId)} (key ${keyId})`;
    if (typeof decidedAt !== 'number' || !Number.isFinite(decidedAt)) {
      return reject('undecodable', `${what} has no decidedAt`, commandId);
    }
    const headerCommandId = headers[COMMAND_ID_HEADER];
    if (headerCommandId !== undefined && headerText(headerCommandId) !== commandId) {
      return reject(
        'forged',
        `${what}: header ${COMMAND_ID_HEADER} ${describeHeader(headerCommandId)} contradicts the signed body`,
        commandId,
      );
    }

    const now = this.now();
    this.forgetBefore(now - this.maxAgeMs);
    const ageMs = now - decidedAt;
    if (-ageMs > this.maxClockSkewMs) {
      return reject(
        'from-the-future',
        `${what} decided ${duration(-ageMs)} ahead of this clock (decidedAt ${iso(decidedAt)}, now ${iso(now)}, allowed skew ${duration(this.maxClockSkewMs)})`,
        commandId,
      );
    }
    if (this.seen.has(commandId)) {
      return reject(
        'replayed',
        `${what} was accepted before (decidedAt ${iso(decidedAt)}, ${duration(ageMs)} ago)`,
        commandId,
      );
    }
    if (decidedAt < this.ageFloor) {
      return reject(
        'too-old',
        `${what} decided ${duration(ageMs)} ago (decidedAt ${iso(decidedAt)}), more than maxAgeMs ${duration(this.maxAgeMs)}`,
        commandId,
      );
    }
    if (decidedAt <= this.capacityFloor) {
      return reject(
        'too-old',
        `${what} decided ${duration(ageMs)} ago (decidedAt ${iso(decidedAt)}), at or before the oldest command the full memory of ${this.maxRemembered} ids forgot (${iso(this.capacityFloor)})`,
        commandId,
      );
    }
    this.remember(commandId, decidedAt);
    return { accepted: true, command, keyId };
  }

  private forgetBefore(floor: number): void {
    if (floor > this.ageFloor) this.ageFloor = floor;
    for (let oldest = this.byAge.peek(); oldest !== undefined && oldest.decidedAt < this.ageFloor; ) {
      this.byAge.pop();
      this.seen.delete(oldest.commandId);
      oldest = this.byAge.peek();
    }
  }

  private remember(commandId: string, decidedAt: number): void {
    this.seen.set(commandId, decidedAt);
    this.byAge.push({ commandId, decidedAt });
    while (this.seen.size > this.maxRemembered) {
      const oldest = this.byAge.pop();
      if (oldest === undefined) break;
      this.seen.delete(oldest.commandId);
      if (oldest.decidedAt > this.capacityFloor) this.capacityFloor = oldest.decidedAt;
    }
  }
}

interface Remembered {
  readonly commandId: string;
  readonly decidedAt: number;
}

/** A binary min-heap of remembered ids by decidedAt: commands of many assets arrive out of decidedAt order. */
class DecidedAtHeap {
  private readonly items: Remembered[] = [];

  peek(): Remembered | undefined {
    return this.items[0];
  }

  push(item: Remembered): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as Remembered).decidedAt <= item.decidedAt) break;
      items[i] = items[parent] as Remembered;
      i = parent;
    }
    items[i] = item;
  }

  pop(): Remembered | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && (items[right] as Remembered).decidedAt < (items[left] as Remembered).decidedAt
          ? right
          : left;
      if ((items[child] as Remembered).decidedAt >= last.decidedAt) break;
      items[i] = items[child] as Remembered;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

function reject(reason: CommandRejection, detail: string, commandId?: string): CommandVerdict {
  return commandId === undefined
    ? { accepted: false, reason, detail: `${reason}: ${detail}` }
    : { accepted: false, reason, detail: `${reason}: ${detail}`, commandId };
}

/** Header text as it may go into a detail: sent by whoever wrote the message, so quoted and cut short. */
function describeHeader(value: string | Buffer | (string | Buffer)[] | undefined): string {
  if (value === undefined) return '(none)';
  if (Array.isArray(value)) {
    if (value.length === 1) return quoted((value[0] as string | Buffer).toString());
    return `(${value.length} headers)`;
  }
  return quoted(value.toString());
}

/** One header's text; undefined when it repeats. */
function headerText(value: string | Buffer | (string | Buffer)[]): string | undefined {
  if (!Array.isArray(value)) return value.toString();
  return value.length === 1 ? (value[0] as string | Buffer).toString() : undefined;
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

/** A duration for a person: 1.5s, 20m, 3h 5m. */
function duration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${Math.round(ms)}ms`;
  if (abs < 60_000) return `${Math.round(ms / 100) / 10}s`;
  if (abs < 3_600_000) return `${Math.round(ms / 6_000) / 10}m`;
  if (abs < 86_400_000) return `${Math.round(ms / 360_000) / 10}h`;
  return `${Math.round(ms / 8_640_000) / 10}d`;
}
