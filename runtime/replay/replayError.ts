/**
 * Which step of a replay failed: 'plan' (the topic's offsets), 'connect',
 * 'read' (consuming, or no progress for the stall timeout), 'decode' (the
 * registry, not the bytes).
 */
export type ReplayStage = 'plan' | 'connect' | 'read' | 'decode';

/**
 * A replay failed talking to Kafka or the schema registry. `retriable` is
 * the cause's own flag (true for a stall).
 *
 * @example
 * catch (e) { if (e instanceof ReplayError && e.retriable) console.error('try again'); }
 */
export class ReplayError extends Error {
  override readonly name = 'ReplayError';
  readonly retriable: boolean;

  constructor(
    readonly stage: ReplayStage,
    subject: string,
    options: { cause: unknown },
  ) {
    const cause = options.cause;
    super(
      `replay ${stage} failed for ${subject}: ${cause instanceof Error ? cause.message : String(cause)}`,
      options,
    );
    this.retriable = (cause as { retriable?: unknown } | undefined)?.retriable === true;
  }
}
