/**
 * `twinflow/testing`: a job definition run in memory, deterministic, with
 * no broker, no ClickHouse and no wall clock, for a user's own unit tests.
 *
 * @example
 * import { JobTestDriver } from 'twinflow/testing';
 * const driver = new JobTestDriver(myJob);
 */
export type { DeadLetter, LateRecord } from './jobTestDriver.js';
export { JobTestDriver } from './jobTestDriver.js';
