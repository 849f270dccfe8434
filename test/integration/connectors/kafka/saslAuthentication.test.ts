import { describe, expect, it } from 'vitest';
import { newKafka } from '../../../../connectors/kafka/kafkaClient.js';
import { startJobProcess } from '../../pipelines/machine-health/machineHealthOnKafka.js';

/**
 * A refused SASL login against the local stack's SASL_PLAINTEXT listener
 * (infra/local/stack.sh: PLAIN, user twinflow): the job fails with the
 * cause named — the Kafka client's own line, not only its "Broker transport
 * failure" — and nothing it writes holds the password, in any form the
 * client could have put it in. The right password is accepted first, so
 * the test knows the listener really checks credentials. The process stack
 * only: the container stack has no SASL listener (the test then fails on
 * the first check, it does not pass vacuously).
 */

const SASL_BROKER = process.env.TWINFLOW_KAFKA_SASL_BROKER || '127.0.0.1:19094';
/** The stack's fixture user (stack.sh); not a secret. */
const USER = 'twinflow';
const RIGHT_PASSWORD = 'twinflow-local-sasl';
const WRONG_PASSWORD = 'wrong-sasl-password-7d1c93';

/** Runs the job CLI against the SASL listener with `password` from the environment, until it exits. */
async function runJob(password: string): Promise<{ code: number | null; output: string }> {
  const job = startJobProcess(
    {
      KAFKA__BROKERS: SASL_BROKER,
      KAFKA__SASL: `{ mechanism: plain, username: ${USER}, password: { env: IT_KAFKA_PASSWORD } }`,
      OBSERVABILITY__PORT: 0,
      OBSERVABILITY__LOG_LEVEL: 'debug',
      CLICKHOUSE__DATABASE: 'it_sasl_refused',
    },
    { IT_KAFKA_PASSWORD: password },
  );
  const timer = setTimeout(() => job.child.kill('SIGKILL'), 60_000);
  const code = await job.exited;
  clearTimeout(timer);
  return { code, output: job.output() };
}

describe('SASL authentication (real Kafka)', () => {
  it('accepts the right password: the listener checks credentials', async () => {
    const admin = newKafka({
      brokers: [SASL_BROKER],
      clientId: 'it-sasl',
      sasl: { mechanism: 'plain', username: USER, password: () => RIGHT_PASSWORD },
    }).admin();
    await admin.connect();
    try {
      expect(Array.isArray(await admin.listTopics())).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });

  it('a refused login fails the job naming the cause, and no log line holds the password', {
    timeout: 90_000,
  }, async () => {
    const { code, output } = await runJob(WRONG_PASSWORD);
    expect(code, output).toBe(1);
    expect(output).toContain('the Kafka client reported:');
    expect(output).toMatch(
      new RegExp(
        `sasl_plaintext://${SASL_BROKER.replace(/\./g, '\\.')}/bootstrap: SASL authentication error: Authentication failed`,
      ),
    );
    // The config the job logs at start says a login is configured, not what it is.
    expect(output).toContain('"sasl":"[redacted]"');
    // As given, and as SASL PLAIN sends it (\0user\0password, base64 in some client logs).
    for (const form of [
      WRONG_PASSWORD,
      Buffer.from(`\0${USER}\0${WRONG_PASSWORD}`).toString('base64'),
      Buffer.from(WRONG_PASSWORD).toString('base64'),
    ]) {
      expect(output.includes(form), `the output holds the password as ${form}`).toBe(false);
    }
  });
});
