import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChdbEngine, type EngineStatement } from './chdbEngine.js';
import { type ClickHouseException, clickHouseException, exceptionFromEngine } from './clickhouseException.js';
import { compress, readBody, responseCoding } from './httpCompression.js';
import { type Credentials, checkCredentials, credentialsOf } from './httpCredentials.js';
import { SerialQueue } from './serialQueue.js';
import { parseInsertHead } from './statementShape.js';

/** Options of {@link EmbeddedClickHouse.start}. */
export interface EmbeddedClickHouseOptions {
  /** Where chDB keeps its data (created if missing); one per process. */
  readonly dataDir: string;
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to bind; loopback by default. */
  readonly host?: string;
  /** The one user accepted (default `default`). */
  readonly user?: string;
  /** Its password (default empty). */
  readonly password?: string;
  /** Largest request body accepted, after decompression (default 1 GiB). */
  readonly maxBodyBytes?: number;
  /** Name sent in `X-ClickHouse-Server-Display-Name` (default `twinflow-embedded`). */
  readonly displayName?: string;
}

/**
 * URL parameters of ClickHouse's HTTP interface that are not settings
 * (`param_*` are handled apart); every other parameter is a setting.
 */
const NON_SETTING_PARAMS = new Set([
  'query',
  'database',
  'default_format',
  'user',
  'password',
  'quota_key',
  'query_id',
  'session_id',
  'session_timeout',
  'session_check',
  'compress',
  'decompress',
  'buffer_size',
  'wait_end_of_query',
  'role',
  'stacktrace',
  'enable_http_compression',
  'client_protocol_version',
]);

const NO_HANDLER = `There is no handle {path}

Use / or /ping for health checks.
Or /replicas_status for more sophisticated health checks.

Send queries from your program with POST method or GET /?query=...
`;

/**
 * An embedded ClickHouse: chDB (ClickHouse's own engine, in process) served
 * on ClickHouse's HTTP interface, so @clickhouse/client, curl and Grafana's
 * ClickHouse data source work unchanged. It speaks what those clients use:
 * the query in the URL or the body, INSERT data in the body, `database`,
 * `default_format`, settings (e.g. `insert_deduplication_token`) and
 * `param_*` as URL parameters, `query_id`, `session_id`, the
 * `X-ClickHouse-Format` / `-Query-Id` / `-Summary` / `-Exception-Code`
 * headers, gzip (or deflate, br) both ways, one user with a password (basic
 * auth, `X-ClickHouse-User`/`-Key`, or `user`/`password` parameters), and
 * ClickHouse's error bodies and statuses. Results are sent whole once the
 * statement finished (no streaming), and statements run one at a time.
 *
 * @example
 * await using ch = await EmbeddedClickHouse.start({ dataDir: '/tmp/ch', port: 8123 });
 * const client = createClient({ url: ch.url });
 * await client.query({ query: 'SELECT 1', format: 'JSONEachRow' });
 * // curl 'http://127.0.0.1:8123/?query=SELECT%201'  ->  1
 */
export class EmbeddedClickHouse {
  private readonly queue = new SerialQueue();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly engine: ChdbEngine,
    private readonly credentials: Credentials,
    private readonly maxBodyBytes: number,
    private readonly displayName: string,
    /** The bound port (the one picked when 0 was asked for). */
    readonly port: number,
    readonly host: string,
  ) {}

  /** Base URL for clients, e.g. `http://127.0.0.1:8123`. */
  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** ClickHouse version of the embedded engine. */
  get version(): string {
    return this.engine.version;
  }

  /** Opens the engine on `dataDir` and starts listening; resolves once the port is bound. */
  static async start(options: EmbeddedClickHouseOptions): Promise<EmbeddedClickHouse> {
    const host = options.host ?? '127.0.0.1';
    const engine = await ChdbEngine.open(options.dataDir);
    const server = createServer();
    // ClickHouse's default keep-alive; @clickhouse/client reads it from the Keep-Alive header.
    server.keepAliveTimeout = 10_000;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      engine.close();
      throw err;
    }
    const ch = new EmbeddedClickHouse(
      server,
      engine,
      { user: options.user ?? 'default', password: options.password ?? '' },
      options.maxBodyBytes ?? 1024 * 1024 * 1024,
      options.displayName ?? 'twinflow-embedded',
      (server.address() as AddressInfo).port,
      host,
    );
    server.on('request', (req, res) => {
      ch.handle(req, res).catch((err: unknown) => {
        // handle() answers every failure itself; reaching here means the socket broke mid-answer.
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
    return ch;
  }

  /** Stops accepting requests, lets queued statements finish, then closes the engine. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeIdleConnections();
      await this.queue.idle();
      this.server.closeAllConnections();
      await closed;
      this.engine.close();
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const params = url.searchParams;
    const queryId = params.get('query_id') || randomUUID();
    res.setHeader('X-ClickHouse-Server-Display-Name', this.displayName);
    res.setHeader('X-ClickHouse-Query-Id', queryId);
    res.setHeader('X-ClickHouse-Timezone', this.engine.timezone);
    const compressWith =
      params.get('enable_http_compression') === '1'
        ? responseCoding(req.headers['accept-encoding'])
        : undefined;
    try {
      const path = url.pathname;
      if (path === '/ping' || path === '/replicas_status') {
        req.resume();
        return this.sendText(res, 200, 'Ok.\n');
      }
      if (path !== '/' && path !== '') {
        req.resume();
        return this.sendText(res, 404, NO_HANDLER.replace('{path}', path));
      }
      if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'HEAD') {
        req.resume();
        throw clickHouseException('NOT_IMPLEMENTED', `HTTP method ${req.method} is not supported`);
      }
      const urlQuery = params.get('query') ?? '';
      if (req.method !== 'POST' && urlQuery === '') {
        req.resume();
        return this.sendText(res, 200, 'Ok.\n');
      }
      checkCredentials(credentialsOf(req.headers, params), this.credentials);
      if (params.get('decompress') === '1' || params.get('compress') === '1') {
        req.resume();
        throw clickHouseException(
          'NOT_IMPLEMENTED',
          "ClickHouse's native compression (compress/decompress=1) is not supported; use HTTP compression",
        );
      }
      const body = await readBody(req, req.headers['content-encoding'], this.maxBodyBytes);
      const statement = this.statementOf(req, params, urlQuery, body);
      const result = await this.queue.run(() => this.engine.execute(statement));
      res.setHeader('X-ClickHouse-Format', result.format);
      res.setHeader('X-ClickHouse-Summary', JSON.stringify(result.summary));
      res.setHeader('Content-Type', contentTypeOf(result.format));
      await this.send(res, 200, result.body, compressWith);
    } catch (err) {
      req.resume();
      const e: ClickHouseException = exceptionFromEngine(err);
      res.setHeader('X-ClickHouse-Exception-Code', String(e.code));
      res.setHeader('Content-Type', 'text/plain; charset=UTF-8');
      await this.send(res, e.httpStatus, Buffer.from(e.body(this.engine.version)), compressWith);
    }
  }

  private statementOf(
    req: IncomingMessage,
    params: URLSearchParams,
    urlQuery: string,
    body: Buffer,
  ): EngineStatement {
    const settings: Array<[string, string]> = [];
    const bindings = new Map<string, string>();
    for (const [name, value] of params) {
      if (name.startsWith('param_')) bindings.set(name.slice(6), value);
      else if (!NON_SETTING_PARAMS.has(name)) settings.push([name, value]);
    }
    const headerFormat = req.headers['x-clickhouse-format'];
    const defaultFormat =
      params.get('default_format') ||
      (typeof headerFormat === 'string' ? headerFormat : '') ||
      'TabSeparated';
    const database = params.get('database') || (req.headers['x-clickhouse-database'] as string | undefined);
    const sessionId = params.get('session_id');
    const timeoutS = Number(params.get('session_timeout') ?? 60);
    const statement: EngineStatement = {
      sql: '',
      settings,
      params: bindings,
      defaultFormat,
      readonly: req.method !== 'POST',
      ...(database ? { database } : {}),
      ...(sessionId
        ? { session: { id: sessionId, timeoutMs: (Number.isFinite(timeoutS) ? timeoutS : 60) * 1000 } }
        : {}),
    };
    // ClickHouse reads the query parameter, a newline, then the body as one statement; the data of an
    // INSERT stays bytes (it can be large) when the head is recognised, in the URL or at the body's start.
    if (urlQuery !== '') {
      if (body.length === 0) return { ...statement, sql: urlQuery };
      const head = parseInsertHead(`${urlQuery}\n`);
      if (head && head.headLength >= urlQuery.length)
        return { ...statement, sql: urlQuery, insert: { head, data: body } };
      return { ...statement, sql: `${urlQuery}\n${body.toString('utf8')}` };
    }
    const start = body.subarray(0, 4096).toString('latin1');
    const head = parseInsertHead(start);
    if (head && head.headLength < start.length) {
      return {
        ...statement,
        sql: start.slice(0, head.headLength),
        insert: { head, data: body.subarray(head.headLength) },
      };
    }
    return { ...statement, sql: body.toString('utf8') };
  }

  private sendText(res: ServerResponse, status: number, text: string): void {
    res.setHeader('Content-Type', 'text/html; charset=UTF-8');
    res.writeHead(status);
    res.end(text);
  }

  private async send(
    res: ServerResponse,
    status: number,
    body: Uint8Array,
    coding: ReturnType<typeof responseCoding>,
  ): Promise<void> {
    let out = body;
    if (coding !== undefined) {
      out = await compress(body, coding);
      res.setHeader('Content-Encoding', coding);
    }
    res.setHeader('Content-Length', out.byteLength);
    res.writeHead(status);
    res.end(out);
  }
}

/** Content-Type ClickHouse sends for an output format. */
function contentTypeOf(format: string): string {
  const f = format.toLowerCase();
  if (f.startsWith('tabseparated') || f.startsWith('tsv')) return 'text/tab-separated-values; charset=UTF-8';
  if (f.startsWith('csv'))
    return `text/csv; charset=UTF-8; header=${f.includes('withnames') ? 'present' : 'absent'}`;
  if (f.endsWith('eachrow') || f.includes('eachrowwith')) return 'application/x-ndjson; charset=UTF-8';
  if (f.startsWith('json')) return 'application/json; charset=UTF-8';
  if (
    f.startsWith('rowbinary') ||
    f === 'native' ||
    f === 'parquet' ||
    f.startsWith('arrow') ||
    f === 'orc'
  ) {
    return 'application/octet-stream';
  }
  return 'text/plain; charset=UTF-8';
}
