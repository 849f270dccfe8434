import {
  COMPATIBILITY,
  SchemaRegistry as ConfluentClient,
  SchemaType,
} from '@kafkajs/confluent-schema-registry';
import avro, { type Schema, type Type } from 'avsc';
import { explainIncompatibility, type Incompatibility } from './compatibility.js';
import { AvroError, InvalidSchemaError, SchemaIncompatibleError, SchemaNotFoundError } from './errors.js';
import type { AvroSchema, RegisteredSchema, SchemaRegistry } from './schemaRegistry.js';

/**
 * Where and how to reach a Confluent-compatible schema registry.
 *
 * @example
 * const options: ConfluentSchemaRegistryOptions = { host: 'http://127.0.0.1:18081/apis/ccompat/v7' };
 */
export interface ConfluentSchemaRegistryOptions {
  /** Base URL of the Confluent REST API; for Apicurio its ccompat path (`…/apis/ccompat/v7`). */
  readonly host: string;
  /** Sent as the client id / user agent of registry requests. */
  readonly clientId?: string;
  /** Per-request timeout of the requests made without the client (ms, default 10 000). */
  readonly requestTimeoutMs?: number;
  /** Retries of the client's own requests (registration); default 3, with exponential backoff. */
  readonly retries?: number;
  /** HTTP basic auth; the password is read when a request is made and never logged. */
  readonly auth?: { readonly username: string; readonly password: () => string };
}

/**
 * A registry request that failed for another reason than the answer itself
 * (unknown id, incompatible schema): the registry is down, slow, overloaded
 * or refuses the credentials. `retriable` says whether asking again can help
 * (no answer, a timeout, HTTP 408/429/5xx); `status` is the HTTP status when
 * there was an answer.
 *
 * @example
 * try { await registry.getSchema(7); }
 * catch (e) { if (e instanceof SchemaRegistryRequestError && e.retriable) await backOffAndRetry(); else throw e; }
 */
export class SchemaRegistryRequestError extends AvroError {
  override readonly name = 'SchemaRegistryRequestError';
  readonly retriable: boolean;

  constructor(
    /** Method and URL of the request (`GET http://…/schemas/ids/7`). */
    readonly request: string,
    readonly status: number | undefined,
    detail: string,
    options: { cause?: unknown; retriable?: boolean } = {},
  ) {
    super(
      `schema registry request ${request} failed${status === undefined ? '' : ` with HTTP ${status}`}: ${detail}`,
      { cause: options.cause },
    );
    this.retriable =
      options.retriable ?? (status === undefined || status === 408 || status === 429 || status >= 500);
  }
}

/** The shape of the errors the client's HTTP layer (mappersmith) rejects with. */
interface ClientResponseError {
  readonly status: number;
  readonly url?: string;
  readonly message: string;
}

function isClientResponseError(error: unknown): error is ClientResponseError {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number';
}

interface SchemaAnswer {
  readonly schema: string;
}

interface VersionAnswer extends SchemaAnswer {
  readonly subject: string;
  readonly id: number;
  readonly version: number;
}

const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * SchemaRegistry over Confluent's REST API (Confluent Schema Registry, or
 * Apicurio's Confluent-compatible endpoint), built on
 * @kafkajs/confluent-schema-registry's client for registration.
 *
 * Keeps the SchemaRegistry contract: `register` sets the subject's
 * compatibility to BACKWARD before its first registration through this
 * instance (so the registry itself enforces it, for every producer), is
 * idempotent (the registry answers an identical schema with the id it has),
 * and turns a rejection into SchemaIncompatibleError naming the subject, the
 * version checked against, the registry's answer and (found by the local
 * check of `compatibility.ts`) the first field at fault and what changed
 * there. `getSchema` rejects with SchemaNotFoundError for an unknown id;
 * outages reject with SchemaRegistryRequestError, retriable. Schemas are fetched as the
 * registry's JSON text, so attributes avsc would drop (logical types, docs)
 * come back as registered; each id is fetched once and then cached (a
 * schema id never changes meaning).
 *
 * @example
 * const registry = new ConfluentSchemaRegistry({ host: 'http://127.0.0.1:18081/apis/ccompat/v7' });
 * const serde = new AvroSerde(registry, telemetrySchema);
 * const bytes = await serde.encode('telemetry', reading); // registers telemetry-value (BACKWARD) on first use
 */
export class ConfluentSchemaRegistry implements SchemaRegistry {
  private readonly client: ConfluentClient;
  private readonly host: string;
  private readonly timeoutMs: number;
  private readonly clientId: string;
  private readonly auth: ConfluentSchemaRegistryOptions['auth'];
  /** Subjects whose compatibility this instance has set; a failed attempt is forgotten so the next call retries. */
  private readonly configured = new Map<string, Promise<void>>();
  private readonly schemas = new Map<number, Promise<AvroSchema>>();

  constructor(options: ConfluentSchemaRegistryOptions) {
    this.host = options.host.replace(/\/+$/, '');
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.clientId = options.clientId ?? 'twinflow';
    this.auth = options.auth;
    this.client = new ConfluentClient({
      host: this.host,
      clientId: this.clientId,
      retry: { retries: options.retries ?? 3 },
      ...(options.auth === undefined
        ? {}
        : { auth: { username: options.auth.username, password: options.auth.password() } }),
    });
  }

  async register(subject: string, schema: AvroSchema): Promise<number> {
    let type: Type;
    try {
      type = avro.Type.forSchema(schema as Schema);
    } catch (error) {
      throw new InvalidSchemaError(subject, { cause: error });
    }
    if (type.typeName !== 'record') {
      // The client registers named records only (it checks for a name); say so here, naming the subject.
      throw new InvalidSchemaError(subject, {
        cause: new Error(`a registered schema must be a record, got ${type.typeName}`),
      });
    }
    await this.configureBackward(subject);
    try {
      const { id } = await this.client.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      );
      return id;
    } catch (error) {
      throw await this.registerError(subject, type, error);
    }
  }

  getSchema(id: number): Promise<AvroSchema> {
    let pending = this.schemas.get(id);
    if (pending === undefined) {
      pending = this.fetchSchema(id);
      this.schemas.set(id, pending);
      // Only answers are cached: an outage or an id unknown now must be asked again later.
      pending.catch(() => this.schemas.delete(id));
    }
    // A copy: a caller mutating what it got must not change what later readers get.
    return pending.then((schema) => structuredClone(schema));
  }

  async latest(subject: string): Promise<RegisteredSchema | undefined> {
    const answer = await this.request<VersionAnswer>(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions/latest`,
    );
    if (answer === undefined) return undefined;
    return {
      subject: answer.subject ?? subject,
      id: answer.id,
      version: answer.version,
      schema: parseSchemaText(answer.schema, `GET ${this.host}/subjects/${subject}/versions/latest`),
    };
  }

  private async fetchSchema(id: number): Promise<AvroSchema> {
    const answer = await this.request<SchemaAnswer>('GET', `/schemas/ids/${id}`);
    if (answer === undefined) throw new SchemaNotFoundError(id);
    return parseSchemaText(answer.schema, `GET ${this.host}/schemas/ids/${id}`);
  }

  private configureBackward(subject: string): Promise<void> {
    let pending = this.configured.get(subject);
    if (pending === undefined) {
      pending = this.request<unknown>('PUT', `/config/${encodeURIComponent(subject)}`, {
        compatibility: COMPATIBILITY.BACKWARD,
      }).then(() => undefined);
      this.configured.set(subject, pending);
      pending.catch(() => this.configured.delete(subject));
    }
    return pending;
  }

  /** Turns a failed registration into the contract's typed errors. */
  private async registerError(subject: string, type: Type, error: unknown): Promise<Error> {
    const request = isClientResponseError(error)
      ? (error.url ?? `POST ${this.host}/subjects/${subject}/versions`)
      : `register ${subject}`;
    if (!isClientResponseError(error)) {
      // The client's own checks, before or between its requests: the subject's compatibility is not
      // BACKWARD (changed by someone else since configureBackward) or its argument checks. Asking
      // again gives the same answer.
      return new SchemaRegistryRequestError(request, undefined, messageOf(error), {
        cause: error,
        retriable: false,
      });
    }
    if (error.status === 409) return this.incompatible(subject, type, error);
    if (error.status === 422) return new InvalidSchemaError(subject, { cause: error });
    if (error.status === 400) {
      // The client's HTTP layer reports "no answer" (connection refused, reset) as a 400 too; a
      // cheap request of our own tells an outage from a request the registry really refused.
      try {
        await this.request<unknown>('GET', `/config/${encodeURIComponent(subject)}`);
      } catch (probe) {
        if (probe instanceof SchemaRegistryRequestError && probe.retriable) {
          return new SchemaRegistryRequestError(request, undefined, error.message, { cause: error });
        }
      }
    }
    return new SchemaRegistryRequestError(request, error.status, error.message, { cause: error });
  }

  /**
   * SchemaIncompatibleError for a schema the registry rejected (HTTP 409):
   * the registry's message need not name the field, so the field and what
   * changed there come from the same local check as LocalSchemaRegistry's,
   * against the subject's latest version; the registry's answer is kept
   * beside it.
   */
  private async incompatible(subject: string, type: Type, error: ClientResponseError): Promise<Error> {
    const latest = await this.latest(subject).catch(() => undefined);
    let fault: Incompatibility | undefined;
    try {
      if (latest !== undefined) {
        fault = explainIncompatibility(type, avro.Type.forSchema(latest.schema as Schema));
      }
    } catch {
      // The latest version is no Avro schema avsc can parse: the registry's answer is all there is.
    }
    return new SchemaIncompatibleError(
      subject,
      fault?.field,
      latest?.version ?? 0,
      fault?.detail ??
        'the local check finds no field at fault (the registry may check more than the latest version)',
      { cause: error, registryMessage: `HTTP ${error.status}: ${error.message}` },
    );
  }

  /**
   * One request to the registry's REST API. Resolves to the JSON answer, or
   * undefined for HTTP 404; rejects with SchemaRegistryRequestError otherwise.
   */
  private async request<T>(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<T | undefined> {
    const url = `${this.host}${path}`;
    const label = `${method} ${url}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: REGISTRY_CONTENT_TYPE,
          'user-agent': this.clientId,
          ...(this.auth === undefined
            ? {}
            : {
                authorization: `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password()}`).toString('base64')}`,
              }),
          ...(body === undefined ? {} : { 'content-type': REGISTRY_CONTENT_TYPE }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new SchemaRegistryRequestError(label, undefined, messageOf(error), { cause: error });
    }
    const text = await response.text().catch(() => '');
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw new SchemaRegistryRequestError(label, response.status, registryMessage(text));
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new SchemaRegistryRequestError(
        label,
        response.status,
        `answer is not JSON: ${text.slice(0, 200)}`,
        {
          cause: error,
          retriable: false,
        },
      );
    }
  }
}

function parseSchemaText(text: string, request: string): AvroSchema {
  try {
    return JSON.parse(text) as AvroSchema;
  } catch (error) {
    // Not an Avro schema in JSON (a Protobuf subject, say): asking again gives the same text.
    throw new SchemaRegistryRequestError(request, 200, `the schema text is not JSON: ${text.slice(0, 80)}`, {
      cause: error,
      retriable: false,
    });
  }
}

/** The registry's error message (`{"error_code":…, "message":…}`), or the start of the body. */
function registryMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not a registry error body (a proxy's HTML page, say): show its start.
  }
  return text.slice(0, 200) || '(empty answer)';
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch hides the reason (ECONNREFUSED, a timeout) in its cause.
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
