/**
 * twinflow's public API: the operator engine. Pipelines import from 'twinflow'.
 */
export * from './operators/index.js';
