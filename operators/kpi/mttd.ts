/** A fault the simulator injected (ground truth). */
export interface InjectedFault {
  readonly assetId: string;
  readonly kind: string;
  readonly injectedAt: number;
}

/** Something the twin did about an asset: an alert or a command, at its event time. */
export interface Detection {
  readonly assetId: string;
  readonly ts: number;
  /** What it was, e.g. "alert:ANOMALY" or "command:REDUCE_LOAD". */
  readonly what?: string;
}

/** How (and whether) one fault was detected. */
export interface FaultDetection {
  readonly fault: InjectedFault;
  /** Event time of the first detection at or after injection, within the window; null when missed. */
  readonly detectedAt: number | null;
  readonly ttdMs: number | null;
  readonly detectedBy: string | null;
}

export interface MttdReport {
  /** One entry per fault, in input order. */
  readonly faults: readonly FaultDetection[];
  readonly detected: number;
  readonly missed: number;
  /** Mean time to detect over detected faults; null when none was. */
  readonly mttdMs: number | null;
  readonly maxTtdMs: number | null;
  /** Detections within no fault's window: false alarms, or reactions to wear the injector did not cause. */
  readonly unmatchedDetections: number;
}

export interface MttdOptions {
  /** A detection later than this after injection does not count (the fault is missed). */
  readonly maxDetectionMs: number;
}

/** Raised for input MTTD cannot be computed from; names the list and index at fault. */
export class MttdInputError extends Error {
  readonly retriable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MttdInputError';
  }
}

/**
 * Time to detect injected faults: for each fault, the first detection (alert
 * or command) for its asset at or after injection and at most maxDetectionMs
 * later; their mean is the MTTD; faults with none are missed.
 *
 * @example
 * timeToDetect(
 *   [{ assetId: 'p1', kind: 'bearing', injectedAt: 1_000 }],
 *   [{ assetId: 'p1', ts: 4_000, what: 'alert:ANOMALY' }],
 *   { maxDetectionMs: 3_600_000 },
 * ).mttdMs; // 3000
 */
export function timeToDetect(
  faults: readonly InjectedFault[],
  detections: readonly Detection[],
  options: MttdOptions,
): MttdReport {
  const max = options.maxDetectionMs;
  if (!(typeof max === 'number' && max >= 0)) {
    throw new MttdInputError(`timeToDetect: maxDetectionMs must be a number >= 0, got ${max}`);
  }
  const byAsset = new Map<string, Detection[]>();
  detections.forEach((d, i) => {
    if (!Number.isFinite(d.ts)) {
      throw new MttdInputError(`timeToDetect: detections[${i}] (${d.assetId}) has event time ${d.ts}`);
    }
    const list = byAsset.get(d.assetId);
    if (list === undefined) byAsset.set(d.assetId, [d]);
    else list.push(d);
  });
  for (const list of byAsset.values()) list.sort((a, b) => a.ts - b.ts);

  const faultTimes = new Map<string, number[]>();
  const results: FaultDetection[] = [];
  let sum = 0;
  let detected = 0;
  let maxTtd: number | null = null;
  faults.forEach((fault, i) => {
    if (!Number.isFinite(fault.injectedAt)) {
      throw new MttdInputError(
        `timeToDetect: faults[${i}] (${fault.assetId}, ${fault.kind}) has injectedAt ${fault.injectedAt}`,
      );
    }
    const times = faultTimes.get(fault.assetId);
    if (times === undefined) faultTimes.set(fault.assetId, [fault.injectedAt]);
    else times.push(fault.injectedAt);

    const list = byAsset.get(fault.assetId) ?? [];
    const first = list[firstAtOrAfter(list, fault.injectedAt)];
    if (first === undefined || first.ts - fault.injectedAt > max) {
      results.push({ fault, detectedAt: null, ttdMs: null, detectedBy: null });
      return;
    }
    const ttd = first.ts - fault.injectedAt;
    detected++;
    sum += ttd;
    maxTtd = maxTtd === null ? ttd : Math.max(maxTtd, ttd);
    results.push({ fault, detectedAt: first.ts, ttdMs: ttd, detectedBy: first.what ?? null });
  });

  let unmatched = 0;
  for (const [assetId, list] of byAsset) {
    const times = (faultTimes.get(assetId) ?? []).sort((a, b) => a - b);
    for (const d of list) {
      // Every window is maxDetectionMs long, so the latest injection at or before d has the latest end.
      const k = firstAfter(times, d.ts) - 1;
      if (k < 0 || d.ts - times[k] > max) unmatched++;
    }
  }

  return {
    faults: results,
    detected,
    missed: faults.length - detected,
    mttdMs: detected > 0 ? sum / detected : null,
    maxTtdMs: maxTtd,
    unmatchedDetections: unmatched,
  };
}

function firstAtOrAfter(sorted: readonly Detection[], ts: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function firstAfter(sorted: readonly number[], ts: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
