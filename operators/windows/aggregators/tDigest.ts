/**
 * A merging t-digest (Dunning & Ertl, "Computing extremely accurate quantiles
 * using t-digests", 2019): centroids sorted by mean, each holding at most
 * about 4·n·q·(1−q)/δ values, so the tails stay precise.
 *
 * Written here rather than taken from npm because window state must be
 * deterministic and serialisable for exact snapshot/restore: the `tdigest`
 * package recompresses in random order (Math.random), and
 * `@datadog/sketches-js` drops negative values on merge and cannot restore a
 * serialised sketch without an undeclared dependency.
 */
export interface TDigestState {
  /** Centroid means, ascending. */
  means: number[];
  weights: number[];
  /** Values not yet merged into centroids. */
  buffer: number[];
  n: number;
  min: number | null;
  max: number | null;
}

const BUFFER_LIMIT = 256;

export function createDigest(): TDigestState {
  return { means: [], weights: [], buffer: [], n: 0, min: null, max: null };
}

export function addToDigest(d: TDigestState, x: number, compression: number): TDigestState {
  d.buffer.push(x);
  d.n++;
  if (d.min === null || x < d.min) d.min = x;
  if (d.max === null || x > d.max) d.max = x;
  if (d.buffer.length >= BUFFER_LIMIT) compressDigest(d, compression, [], []);
  return d;
}

export function mergeDigests(a: TDigestState, b: TDigestState, compression: number): TDigestState {
  if (b.n === 0) return a;
  for (const x of b.buffer) a.buffer.push(x);
  a.n += b.n;
  if (a.min === null || (b.min !== null && b.min < a.min)) a.min = b.min;
  if (a.max === null || (b.max !== null && b.max > a.max)) a.max = b.max;
  compressDigest(a, compression, b.means, b.weights);
  return a;
}

/** Merges buffer and extra centroids into the digest's centroids. */
function compressDigest(
  d: TDigestState,
  compression: number,
  extraMeans: number[],
  extraWeights: number[],
): void {
  const items: Array<[number, number]> = [];
  for (let i = 0; i < d.means.length; i++) items.push([d.means[i], d.weights[i]]);
  for (let i = 0; i < extraMeans.length; i++) items.push([extraMeans[i], extraWeights[i]]);
  for (const x of d.buffer) items.push([x, 1]);
  d.buffer = [];
  // Stable sort: equal means keep a fixed order, so the result is deterministic.
  items.sort((p, q) => p[0] - q[0]);
  let total = 0;
  for (const it of items) total += it[1];
  const means: number[] = [];
  const weights: number[] = [];
  let curMean = items[0][0];
  let curWeight = items[0][1];
  let before = 0;
  for (let i = 1; i < items.length; i++) {
    const [m, w] = items[i];
    const q = (before + (curWeight + w) / 2) / total;
    const bound = Math.max(1, (4 * total * q * (1 - q)) / compression);
    if (curWeight + w <= bound) {
      curWeight += w;
      curMean += ((m - curMean) * w) / curWeight;
    } else {
      means.push(curMean);
      weights.push(curWeight);
      before += curWeight;
      curMean = m;
      curWeight = w;
    }
  }
  means.push(curMean);
  weights.push(curWeight);
  d.means = means;
  d.weights = weights;
}

/** The value at quantile q in [0, 1], interpolated between centroid centres; NaN when empty. */
export function digestQuantile(d: TDigestState, q: number, compression: number): number {
  if (d.n === 0) return Number.NaN;
  let means = d.means;
  let weights = d.weights;
  if (d.buffer.length > 0) {
    const copy: TDigestState = { ...d, buffer: d.buffer.slice() };
    compressDigest(copy, compression, [], []);
    means = copy.means;
    weights = copy.weights;
  }
  const min = d.min as number;
  const max = d.max as number;
  if (q <= 0) return min;
  if (q >= 1) return max;
  const target = q * d.n;
  let cum = 0;
  let prevCentre = 0;
  let prevMean = min;
  for (let i = 0; i < means.length; i++) {
    const centre = cum + weights[i] / 2;
    if (target < centre) {
      const span = centre - prevCentre;
      return span <= 0 ? means[i] : prevMean + ((means[i] - prevMean) * (target - prevCentre)) / span;
    }
    cum += weights[i];
    prevCentre = centre;
    prevMean = means[i];
  }
  const span = d.n - prevCentre;
  return span <= 0 ? max : prevMean + ((max - prevMean) * (target - prevCentre)) / span;
}
