/** Raised when a value's event time is not a finite number of epoch ms. */
export class InvalidEventTimeError extends TypeError {
  constructor(
    readonly index: number,
    readonly ts: unknown,
    readonly value: unknown,
  ) {
    super(
      `event time of input #${index} is not a finite number of epoch ms: got ${String(ts)} for ${preview(value)}`,
    );
    this.name = 'InvalidEventTimeError';
  }
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Reads and checks one event time; `index` counts inputs so the error says which one. */
export function eventTimeOf<T>(tsOf: (value: T) => number, value: T, index: number): number {
  const ts = tsOf(value);
  if (typeof ts !== 'number' || !Number.isFinite(ts)) throw new InvalidEventTimeError(index, ts, value);
  return ts;
}
