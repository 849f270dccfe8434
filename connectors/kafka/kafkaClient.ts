import { createRequire } from 'node:module';
import type * as KafkaJavascript from '@confluentinc/kafka-javascript';
import { clientErrorLogger } from './clientErrorLog.js';
import { type KafkaClientOptions, kafkaJsConfig } from './kafkaClientOptions.js';

/** The @confluentinc/kafka-javascript module (KafkaJS-compatible API and the librdkafka classes). */
export type KafkaJavascriptModule = typeof KafkaJavascript;

/** The one command that installs the Kafka client on a machine where `npm ci` left it out. */
export const KAFKA_CLIENT_SETUP_COMMAND = 'npm run setup:kafka';

/**
 * @confluentinc/kafka-javascript is not installed, or its native part
 * (librdkafka) did not build. It is an optional dependency: `npm ci` leaves
 * it out without failing when no prebuilt binary downloads and the bundled
 * librdkafka cannot be built, so the embedded default runs without it. Only
 * the parts that talk to a broker need it, and they fail with this error,
 * which names the command that installs it. Not retriable.
 *
 * @example
 * try { newKafka({ brokers: ['127.0.0.1:19092'] }); }
 * catch (e) { if (e instanceof KafkaClientUnavailableError) console.error(e.message); }
 */
export class KafkaClientUnavailableError extends Error {
  override readonly name = 'KafkaClientUnavailableError';
  readonly retriable = false;

  constructor(options: { cause: unknown }) {
    super(
      `the Kafka client @confluentinc/kafka-javascript is not installed or did not build (${causeMessage(options.cause)}). ` +
        `npm leaves out this optional dependency when its native build fails. Install it with: ${KAFKA_CLIENT_SETUP_COMMAND}`,
      options,
    );
  }
}

let loaded: KafkaJavascriptModule | undefined;

/**
 * The Kafka client module, loaded on first use rather than imported, so
 * that every module of twinflow loads (and the embedded default runs)
 * without it. Throws KafkaClientUnavailableError when it is missing.
 *
 * @example
 * const { KafkaJS } = kafkaJavascript();
 * if (err.code === KafkaJS.ErrorCodes.ERR__ASSIGN_PARTITIONS) …
 */
export function kafkaJavascript(): KafkaJavascriptModule {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@confluentinc/kafka-javascript') as KafkaJavascriptModule;
    } catch (error) {
      throw new KafkaClientUnavailableError({ cause: error });
    }
  }
  return loaded;
}

/**
 * A KafkaJS-compatible client for these options. The client's own log is
 * not printed (twinflow reports failures itself, as typed errors); its
 * error lines are kept for the failure report (clientErrorLog.ts), since
 * they name causes — a refused login — that the rejected call does not.
 *
 * @example
 * const admin = newKafka({ brokers: ['127.0.0.1:19092'] }).admin();
 */
export function newKafka(options: KafkaClientOptions): KafkaJavascript.KafkaJS.Kafka {
  const { KafkaJS } = kafkaJavascript();
  const secrets = options.sasl === undefined ? [] : [options.sasl.password()];
  return new KafkaJS.Kafka({
    kafkaJS: {
      ...kafkaJsConfig(options),
      logLevel: KafkaJS.logLevel.ERROR,
      logger: clientErrorLogger(secrets),
    },
  });
}

function causeMessage(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  return message.split('\n')[0] ?? message;
}
