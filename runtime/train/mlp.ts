import { uniformSource } from '../../operators/scoring/seededRandom.js';

/**
 * A small multilayer perceptron in plain TypeScript (no ML framework is a
 * dependency): tanh hidden layers, one sigmoid output. Layer l maps
 * `sizes[l]` inputs to `sizes[l+1]` outputs with weights stored row-major as
 * [out][in], the layout of an ONNX Gemm with transB = 1.
 */
export interface Mlp {
  readonly sizes: readonly number[];
  readonly weights: Float64Array[];
  readonly biases: Float64Array[];
}

/**
 * Xavier-uniform initial weights from a seed (training is reproducible).
 *
 * @example
 * const net = createMlp([8, 32, 32, 1], 42);
 */
export function createMlp(sizes: readonly number[], seed: number): Mlp {
  const u = uniformSource(seed);
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l];
    const nOut = sizes[l + 1];
    const bound = Math.sqrt(6 / (nIn + nOut));
    const w = new Float64Array(nIn * nOut);
    for (let i = 0; i < w.length; i++) w[i] = (2 * u() - 1) * bound;
    weights.push(w);
    biases.push(new Float64Array(nOut));
  }
  return { sizes, weights, biases };
}

/**
 * Forward pass of one input row; returns the sigmoid output.
 *
 * @example
 * predict(net, Float64Array.of(0.1, 0.9, 0.5, 1, 0.01, 0.6, 0.7, 0.05)); // 0..1
 */
export function predict(net: Mlp, x: Float64Array, offset = 0): number {
  let input = x.subarray(offset, offset + net.sizes[0]);
  const last = net.weights.length - 1;
  for (let l = 0; l <= last; l++) {
    const nIn = net.sizes[l];
    const nOut = net.sizes[l + 1];
    const out = new Float64Array(nOut);
    const w = net.weights[l];
    for (let o = 0; o < nOut; o++) {
      let s = net.biases[l][o];
      for (let i = 0; i < nIn; i++) s += w[o * nIn + i] * input[i];
      out[o] = l === last ? s : Math.tanh(s);
    }
    input = out;
  }
  return 1 / (1 + Math.exp(-input[0]));
}

/** Adam settings and schedule for fitMlp. */
export interface FitOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Final learning rate of the cosine schedule. */
  readonly finalLearningRate: number;
  readonly seed: number;
  /** Called after each epoch with the mean training loss (binary cross-entropy). */
  readonly onEpoch?: (epoch: number, loss: number) => void;
}

/**
 * Trains `net` in place with Adam on binary cross-entropy against targets in
 * [0, 1] (risk is a probability, so BCE's gradient p - y at the logit is the
 * natural fit). `x` holds `targets.length` rows of `net.sizes[0]` features.
 *
 * @example
 * fitMlp(net, x, y, { epochs: 100, batchSize: 128, learningRate: 0.01, finalLearningRate: 0.0005, seed: 1 });
 */
export function fitMlp(net: Mlp, x: Float64Array, targets: Float64Array, options: FitOptions): void {
  const layers = net.weights.length;
  const sizes = net.sizes;
  const rows = targets.length;
  const nIn0 = sizes[0];
  const acts = sizes.map((s) => new Float64Array(s));
  const deltas = sizes.map((s) => new Float64Array(s));
  const gw = net.weights.map((w) => new Float64Array(w.length));
  const gb = net.biases.map((b) => new Float64Array(b.length));
  const mw = net.weights.map((w) => new Float64Array(w.length));
  const vw = net.weights.map((w) => new Float64Array(w.length));
  const mb = net.biases.map((b) => new Float64Array(b.length));
  const vb = net.biases.map((b) => new Float64Array(b.length));
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  const u = uniformSource(options.seed);
  const beta1 = 0.9;
  const beta2 = 0.999;
  let step = 0;
  const totalSteps = options.epochs * Math.ceil(rows / options.batchSize);

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = rows - 1; i > 0; i--) {
      const j = Math.floor(u() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    let lossSum = 0;
    for (let start = 0; start < rows; start += options.batchSize) {
      const end = Math.min(rows, start + options.batchSize);
      for (let l = 0; l < layers; l++) {
        gw[l].fill(0);
        gb[l].fill(0);
      }
      for (let k = start; k < end; k++) {
        const r = order[k];
        const a0 = acts[0];
        for (let i = 0; i < nIn0; i++) a0[i] = x[r * nIn0 + i];
        for (let l = 0; l < layers; l++) {
          const nIn = sizes[l];
          const nOut = sizes[l + 1];
          const w = net.weights[l];
          const b = net.biases[l];
          const aIn = acts[l];
          const aOut = acts[l + 1];
          for (let o = 0; o < nOut; o++) {
            let s = b[o];
            const base = o * nIn;
            for (let i = 0; i < nIn; i++) s += w[base + i] * aIn[i];
            aOut[o] = l === layers - 1 ? s : Math.tanh(s);
          }
        }
        const logit = acts[layers][0];
        const p = 1 / (1 + Math.exp(-logit));
        const y = targets[r];
        lossSum -= y * Math.log(Math.max(p, 1e-12)) + (1 - y) * Math.log(Math.max(1 - p, 1e-12));
        deltas[layers][0] = p - y;
        for (let l = layers - 1; l >= 0; l--) {
          const nIn = sizes[l];
          const nOut = sizes[l + 1];
          const w = net.weights[l];
          const dOut = deltas[l + 1];
          const aIn = acts[l];
          const g = gw[l];
          for (let o = 0; o < nOut; o++) {
            const d = dOut[o];
            gb[l][o] += d;
            const base = o * nIn;
            for (let i = 0; i < nIn; i++) g[base + i] += d * aIn[i];
          }
          if (l > 0) {
            const dIn = deltas[l];
            for (let i = 0; i < nIn; i++) {
              let s = 0;
              for (let o = 0; o < nOut; o++) s += w[o * nIn + i] * dOut[o];
              dIn[i] = s * (1 - aIn[i] * aIn[i]);
            }
          }
        }
      }
      step++;
      const lr =
        options.finalLearningRate +
        0.5 *
          (options.learningRate - options.finalLearningRate) *
          (1 + Math.cos((Math.PI * step) / totalSteps));
      const scale = 1 / (end - start);
      const c1 = 1 - beta1 ** step;
      const c2 = 1 - beta2 ** step;
      for (let l = 0; l < layers; l++) {
        adam(net.weights[l], gw[l], mw[l], vw[l], scale, lr, c1, c2);
        adam(net.biases[l], gb[l], mb[l], vb[l], scale, lr, c1, c2);
      }
    }
    options.onEpoch?.(epoch + 1, lossSum / rows);
  }
}

function adam(
  p: Float64Array,
  g: Float64Array,
  m: Float64Array,
  v: Float64Array,
  scale: number,
  lr: number,
  c1: number,
  c2: number,
): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] * scale;
    m[i] = 0.9 * m[i] + 0.1 * gi;
    v[i] = 0.999 * v[i] + 0.001 * gi * gi;
    p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
  }
}

/**
 * Folds an input affine map x' = (x - shift) * scale into the first layer,
 * so the trained net takes raw features (and the ONNX graph needs no
 * normalisation nodes).
 *
 * @example
 * foldInputScaling(net, shift, scale); // now predict(net, rawRow) === old predict(net, scaledRow)
 */
export function foldInputScaling(net: Mlp, shift: Float64Array, scale: Float64Array): void {
  const nIn = net.sizes[0];
  const w = net.weights[0];
  const b = net.biases[0];
  for (let o = 0; o < net.sizes[1]; o++) {
    for (let i = 0; i < nIn; i++) {
      w[o * nIn + i] *= scale[i];
      b[o] -= w[o * nIn + i] * shift[i];
    }
  }
}
