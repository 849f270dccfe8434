/**
 * What the Kafka client (librdkafka) said about its failures, kept rather
 * than printed. The error a call rejects with is often only the symptom —
 * `Local: Broker transport failure` — while librdkafka's log line names the
 * cause: `SASL authentication error: Authentication failed: Invalid
 * username or password`, a refused TLS handshake, an unresolvable host.
 * twinflow's clients log into this, and a failure report appends the
 * recent lines. librdkafka never writes sasl.password or key material into
 * them; the lines are also redacted of any configured secret before they
 * are kept, so an odd client message cannot leak one.
 *
 * @example
 * new KafkaJS.Kafka({ kafkaJS: { brokers, logLevel: KafkaJS.logLevel.ERROR, logger: clientErrorLogger([password]) } });
 * recentKafkaClientErrors(); // ['sasl_plaintext://127.0.0.1:19094/bootstrap: SASL authentication error: …']
 */

/**
 * The KafkaJS-API logger shape (`KafkaJS.Logger`), written out so this file
 * builds where the optional client is not installed.
 */
export interface KafkaClientLogger {
  info(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
  debug(message: string, extra?: object): void;
  namespace(namespace: string, logLevel?: number): KafkaClientLogger;
  setLogLevel(logLevel: number): void;
}

/** Distinct lines kept, newest last. */
const KEPT = 5;
const recent: string[] = [];

/** The client's recent error lines (distinct, newest last, at most five), for a failure report. */
export function recentKafkaClientErrors(): string[] {
  return [...recent];
}

/** Forgets the lines kept (tests). */
export function clearKafkaClientErrors(): void {
  recent.length = 0;
}

/**
 * A KafkaJS-API logger that keeps error lines (`secrets` replaced by
 * `[redacted]`) and drops everything else. librdkafka repeats a failing
 * connection's line with a suppression count; the thread prefix and that
 * count are cut so a repeat is one line.
 */
export function clientErrorLogger(secrets: readonly string[] = []): KafkaClientLogger {
  const logger: KafkaClientLogger = {
    error: (message: string) => keep(message, secrets),
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
    namespace: () => logger,
    setLogLevel: () => undefined,
  };
  return logger;
}

function keep(message: string, secrets: readonly string[]): void {
  let line = message
    .replace(/^\[thrd:[^\]]*\]:\s*/, '')
    .replace(/,\s*\d+ identical error\(s\) suppressed/, '')
    .replace(/\(after \d+ms in state ([A-Z_]+)\)/, '(in state $1)');
  for (const secret of secrets) if (secret !== '') line = line.split(secret).join('[redacted]');
  const at = recent.indexOf(line);
  if (at >= 0) recent.splice(at, 1);
  recent.push(line);
  if (recent.length > KEPT) recent.shift();
}
