import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import { PhysicsInputError } from '../../operators/scoring/physicsRiskModel.js';
import { WhatIfInputError } from '../../operators/scoring/whatIf.js';
import { parseHorizonHours, parseWhatIfSettings } from '../../operators/scoring/whatIfInput.js';
import type { HttpRoutes } from '../../runtime/liveView/liveViewRoutes.js';
import { assetOf, type WhatIfSubject, whatIfReport } from './whatIfSubject.js';

/** Where the job's HTTP server answers what-ifs. */
export const WHAT_IF_PATH = '/api/v1/whatif';

const SETTING_PARAMS = ['load', 'cooling', 'coolant'] as const;
const OTHER_PARAMS = ['asset', 'horizon', 'samples', 'seed'] as const;

export interface WhatIfRouteOptions {
  readonly catalogue: Catalogue;
  /** The running job's latest state of an asset, or undefined before its first. */
  readonly subjectOf: (assetId: string) => WhatIfSubject | undefined;
  /** Samples without `samples=` (default 500) and the most one request may ask (default 2000): it runs on the job's thread. */
  readonly defaultSamples?: number;
  readonly maxSamples?: number;
}

/**
 * `GET /api/v1/whatif?asset=pump-001&load=0.6[&cooling=0.8][&horizon=6h][&samples=N][&seed=S]`
 * on the job's HTTP server: the what-if of `twinflow whatif`, from the
 * running job's state, as JSON (the same document as `whatif --json`).
 * 400 with `{ error }` for a question it cannot answer (unknown parameter,
 * no change, horizon <= 0, …), 404 for an asset not in the catalogue or
 * without a state yet, 409 for a state the physics cannot start from (no
 * temperature yet). Read-only like the live view: the server refuses
 * anything but GET and HEAD, and the answer never becomes a command.
 *
 * @example
 * const whatIf = whatIfRoutes({ catalogue, subjectOf: states.subjectOf });
 * await serveLiveView(view, { port: 0, routes: whatIf });
 */
export function whatIfRoutes(options: WhatIfRouteOptions): {
  readonly routes: HttpRoutes;
  readonly paths: readonly string[];
} {
  const defaultSamples = options.defaultSamples ?? 500;
  const maxSamples = options.maxSamples ?? 2000;
  const routes: HttpRoutes = (req, res, path) => {
    if (path !== WHAT_IF_PATH) return false;
    const { status, body } = answer(req);
    json(res, status, body);
    return true;
  };

  function answer(req: IncomingMessage): { status: number; body: unknown } {
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const known = new Set<string>([...SETTING_PARAMS, ...OTHER_PARAMS]);
    for (const key of params.keys()) {
      if (!known.has(key)) {
        return reply(400, { error: `unknown parameter "${key}"; valid: ${[...known].join(', ')}` });
      }
    }
    const assetId = params.get('asset');
    if (assetId === null || assetId === '') return reply(400, { error: 'name the asset: ?asset=ID' });
    try {
      assetOf(options.catalogue, assetId);
    } catch (error) {
      return reply(404, { error: (error as Error).message });
    }
    const subject = options.subjectOf(assetId);
    if (subject === undefined) {
      return reply(404, { error: `asset "${assetId}" has no twin state yet in this run` });
    }
    try {
      const settings = SETTING_PARAMS.flatMap((k) => params.getAll(k).map((v) => `${k}=${v}`));
      const samples = integer(params.get('samples'), 'samples', defaultSamples);
      if (samples < 1 || samples > maxSamples) {
        throw new WhatIfInputError(`samples must be 1..${maxSamples} here, got ${samples}`, 'samples');
      }
      const report = whatIfReport(options.catalogue, subject, {
        change: parseWhatIfSettings(settings),
        horizonHours: parseHorizonHours(params.get('horizon') ?? '6h'),
        samples,
        seed: integer(params.get('seed'), 'seed', 1),
      });
      return reply(200, report);
    } catch (error) {
      if (error instanceof WhatIfInputError) return reply(400, { error: error.message, field: error.field });
      // The state itself cannot be simulated (say, no temperature yet): the question is fine, the moment is not.
      if (error instanceof PhysicsInputError) return reply(409, { error: error.message, field: error.field });
      throw error;
    }
  }

  return { routes, paths: [WHAT_IF_PATH] };
}

function reply(status: number, body: unknown): { status: number; body: unknown } {
  return { status, body };
}

function integer(raw: string | null, field: string, fallback: number): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  if (raw === '' || !Number.isSafeInteger(n)) {
    throw new WhatIfInputError(`${field} must be an integer, got "${raw}"`, field);
  }
  return n;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(res.req.method === 'HEAD' ? undefined : JSON.stringify(body));
}
