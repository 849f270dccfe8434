import { beforeEach, describe, expect, it } from 'vitest';
import {
  clearKafkaClientErrors,
  clientErrorLogger,
  recentKafkaClientErrors,
} from '../../../../connectors/kafka/clientErrorLog.js';

const AUTH =
  '[thrd:sasl_plaintext://127.0.0.1:19094/bootstrap]: sasl_plaintext://127.0.0.1:19094/bootstrap: SASL authentication error: Authentication failed: Invalid username or password (after 302ms in state AUTH_REQ)';

describe('clientErrorLog', () => {
  beforeEach(() => clearKafkaClientErrors());

  it("keeps the client's error lines, a repeat once, without the thread prefix or the timing", () => {
    const logger = clientErrorLogger();
    logger.error(AUTH);
    logger.error(AUTH.replace('302ms', '300ms').replace(')', ', 1 identical error(s) suppressed)'));
    logger.warn('a warning');
    logger.info('Admin client connected');
    expect(recentKafkaClientErrors()).toEqual([
      'sasl_plaintext://127.0.0.1:19094/bootstrap: SASL authentication error: Authentication failed: Invalid username or password (in state AUTH_REQ)',
    ]);
  });

  it('replaces a configured secret, should a client line ever hold one, and keeps the newest five', () => {
    const logger = clientErrorLogger(['s3cret-pw']);
    logger.error('login with s3cret-pw refused');
    for (let i = 0; i < 6; i++) logger.error(`line ${i}`);
    expect(recentKafkaClientErrors()).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    clearKafkaClientErrors();
    logger.error('login with s3cret-pw refused');
    expect(recentKafkaClientErrors()).toEqual(['login with [redacted] refused']);
  });
});
