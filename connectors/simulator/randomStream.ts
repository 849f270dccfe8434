import { Mulberry32 } from '../../operators/scoring/seededRandom.js';

/**
 * The plant's noise: a {@link Mulberry32} (whose one-integer state a
 * simulator snapshot carries) that also draws sensor noise.
 *
 * @example
 * const r = new RandomStream(42);
 * r.next();           // uniform in [0, 1), the same on every run
 * r.noise();          // zero-mean, unit-variance
 * const s = r.state;  // save…
 * r.state = s;        // …and resume
 */
export class RandomStream extends Mulberry32 {
  /**
   * Zero-mean, unit-variance noise from two uniforms (triangular). Sensor
   * noise needs no Gaussian tails, and this costs no log or trig per reading.
   */
  noise(): number {
    return (this.next() + this.next() - 1) * 2.449489742783178;
  }
}
