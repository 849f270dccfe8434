import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveSecret, Secret, SecretError, SecretRef } from '../../../../runtime/config/secret.js';

describe('Secret', () => {
  const secret = new Secret('hunter2-value', 'env KAFKA_PASSWORD');

  it('gives its value only through reveal()', () => {
    expect(secret.reveal()).toBe('hunter2-value');
    expect(secret.origin).toBe('env KAFKA_PASSWORD');
  });

  it('prints as [redacted] through String(), templates, JSON.stringify and util.inspect', () => {
    const holder = { sasl: { password: secret } };
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify(holder)).toBe('{"sasl":{"password":"[redacted]"}}');
    expect(inspect(holder, { depth: 5 })).not.toContain('hunter2');
    expect(inspect(secret, { showHidden: true })).toBe('[redacted]');
  });

  it('cannot be copied out by spreading or listing its keys', () => {
    expect(Object.keys(secret)).toEqual(['origin']);
    expect(JSON.stringify({ ...secret })).not.toContain('hunter2');
  });
});

describe('resolveSecret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twinflow-secret-'));

  it('reads an environment variable', () => {
    const s = resolveSecret(new SecretRef({ env: 'PW' }), { PW: 'from-env' }, dir);
    expect(s.reveal()).toBe('from-env');
    expect(s.origin).toBe('env PW');
  });

  it('reads a file, dropping one trailing newline as Kubernetes secret files have', () => {
    writeFileSync(join(dir, 'pw'), 'from-file\n');
    writeFileSync(join(dir, 'crlf'), 'two lines\nkept\r\n');
    expect(resolveSecret(new SecretRef({ file: join(dir, 'pw') }), {}, '/').reveal()).toBe('from-file');
    expect(resolveSecret(new SecretRef({ file: 'crlf' }), {}, dir).reveal()).toBe('two lines\nkept');
  });

  it('names the variable or file, never a value, when it cannot resolve', () => {
    expect(() => resolveSecret(new SecretRef({ env: 'MISSING_PW' }), {}, dir)).toThrow(
      new SecretError('environment variable MISSING_PW is not set'),
    );
    expect(() => resolveSecret(new SecretRef({ env: 'EMPTY' }), { EMPTY: '' }, dir)).toThrow(
      /EMPTY is empty/,
    );
    const missing = join(dir, 'nope');
    expect(() => resolveSecret(new SecretRef({ file: missing }), {}, dir)).toThrow(
      `file ${missing} cannot be read (ENOENT)`,
    );
    writeFileSync(join(dir, 'blank'), '\n');
    expect(() => resolveSecret(new SecretRef({ file: 'blank' }), {}, dir)).toThrow(/blank is empty/);
  });
});
