import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { clickHouseException } from './clickhouseException.js';

/** Content codings the embedded server reads and writes (Node's zlib; zstd and lz4 need Node >= 22). */
export type HttpCoding = 'gzip' | 'deflate' | 'br';

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);
const brotli = promisify(zlib.brotliCompress);

/**
 * Reads a request body, undoing its `Content-Encoding`, into one Buffer.
 * Refuses bodies larger than `maxBytes` (after decoding) with
 * `QUERY_IS_TOO_LARGE`, so a runaway client cannot exhaust memory.
 *
 * @example
 * const body = await readBody(req, req.headers['content-encoding'], 256 * 1024 * 1024);
 */
export async function readBody(
  body: Readable,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const coding = contentEncoding?.trim().toLowerCase();
  let stream: Readable = body;
  if (coding === 'gzip' || coding === 'x-gzip') stream = body.pipe(zlib.createGunzip());
  else if (coding === 'deflate') stream = body.pipe(zlib.createInflate());
  else if (coding === 'br') stream = body.pipe(zlib.createBrotliDecompress());
  else if (coding && coding !== 'identity') {
    body.resume();
    throw clickHouseException(
      'BAD_ARGUMENTS',
      `Unknown Content-Encoding of HTTP request: ${contentEncoding}`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > maxBytes) {
        throw clickHouseException(
          'QUERY_IS_TOO_LARGE',
          `Request body exceeds the limit of ${maxBytes} bytes`,
        );
      }
      chunks.push(b);
    }
  } catch (err) {
    body.resume();
    if (
      (err as { code?: unknown }).code === 'Z_DATA_ERROR' ||
      (err as { code?: unknown }).code === 'Z_BUF_ERROR'
    ) {
      throw clickHouseException(
        'BAD_ARGUMENTS',
        `Cannot decompress the request body as ${coding}: ${(err as Error).message}`,
        err,
      );
    }
    throw err;
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

/**
 * The coding to answer with for an `Accept-Encoding` header, preferring gzip
 * (what @clickhouse/client asks for), or undefined for none.
 *
 * @example
 * responseCoding('gzip, deflate'); // 'gzip'
 */
export function responseCoding(acceptEncoding: string | undefined): HttpCoding | undefined {
  if (!acceptEncoding) return undefined;
  const offered = acceptEncoding
    .toLowerCase()
    .split(',')
    .map((s) => s.trim().split(';')[0]);
  if (offered.includes('gzip')) return 'gzip';
  if (offered.includes('br')) return 'br';
  if (offered.includes('deflate')) return 'deflate';
  return undefined;
}

/**
 * Compresses a response body off the event loop.
 *
 * @example
 * const gz = await compress(Buffer.from('1\n'), 'gzip');
 */
export function compress(body: Uint8Array, coding: HttpCoding): Promise<Buffer> {
  if (coding === 'gzip') return gzip(body);
  if (coding === 'br') return brotli(body);
  return deflate(body);
}
