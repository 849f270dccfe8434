import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { clickHouseException } from './clickhouseException.js';

/** A user name and password, as ClickHouse's HTTP interface takes them. */
export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/**
 * The credentials of an HTTP request, from whichever of ClickHouse's three
 * places carries them: HTTP basic auth, the `X-ClickHouse-User` /
 * `X-ClickHouse-Key` headers, or the `user` / `password` URL parameters.
 * No credentials mean user `default` with an empty password, as in
 * ClickHouse. Mixing basic auth with the others is refused, as ClickHouse does.
 *
 * @example
 * credentialsOf({ authorization: 'Basic ZGVmYXVsdDo=' }, new URLSearchParams()); // { user: 'default', password: '' }
 */
export function credentialsOf(headers: IncomingHttpHeaders, params: URLSearchParams): Credentials {
  const headerUser = headers['x-clickhouse-user'];
  const headerKey = headers['x-clickhouse-key'];
  const paramUser = params.get('user');
  const paramPassword = params.get('password');
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    if (headerUser !== undefined || headerKey !== undefined || paramUser !== null || paramPassword !== null) {
      throw clickHouseException(
        'BAD_ARGUMENTS',
        'Invalid authentication: it is not allowed to use Authorization HTTP header and authentication via parameters simultaneously',
      );
    }
    const match = /^Basic\s+(.+)$/i.exec(authorization);
    if (!match) {
      throw clickHouseException(
        'AUTHENTICATION_FAILED',
        'Invalid authentication: only Basic authentication is supported',
      );
    }
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0
      ? { user: decoded, password: '' }
      : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const user = single(headerUser) ?? paramUser ?? 'default';
  const password = single(headerKey) ?? paramPassword ?? '';
  return { user: user === '' ? 'default' : user, password };
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Throws ClickHouse's `AUTHENTICATION_FAILED` (516) unless `given` matches
 * `expected`; the comparison takes the same time whatever the password.
 *
 * @example
 * checkCredentials({ user: 'default', password: 'x' }, { user: 'default', password: '' }); // throws 516
 */
export function checkCredentials(given: Credentials, expected: Credentials): void {
  const userOk = given.user === expected.user;
  const a = Buffer.from(given.password);
  const b = Buffer.from(expected.password);
  const passwordOk = a.length === b.length && timingSafeEqual(a, b);
  if (!userOk || !passwordOk) {
    throw clickHouseException(
      'AUTHENTICATION_FAILED',
      `${given.user}: Authentication failed: password is incorrect, or there is no user with such name`,
    );
  }
}
