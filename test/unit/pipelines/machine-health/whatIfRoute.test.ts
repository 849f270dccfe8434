import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../../connectors/catalogue/loadCatalogue.js';
import type { TwinState } from '../../../../operators/control/contracts.js';
import type { ScoredReading } from '../../../../operators/control/scoredReading.js';
import { DEFAULT_CATALOGUE } from '../../../../pipelines/machine-health/embeddedJob.js';
import { machineHealthOperatorView } from '../../../../pipelines/machine-health/operatorView.js';
import { whatIfJobState } from '../../../../pipelines/machine-health/whatIfJobState.js';
import { WHAT_IF_PATH, whatIfRoutes } from '../../../../pipelines/machine-health/whatIfRoute.js';
import type { WhatIfReport } from '../../../../pipelines/machine-health/whatIfSubject.js';
import { serveLiveView } from '../../../../runtime/liveView/serveLiveView.js';
import type { HealthServer } from '../../../../runtime/observability/healthServer.js';

const TS = Date.UTC(2026, 0, 6);

function state(assetId: string): TwinState {
  return {
    assetId,
    ts: TS,
    lastSeen: TS,
    mode: 'NORMAL',
    reported: { temperatureC: 84, vibrationMmS: 9, loadPct: 100, loadLimitPct: null, runState: 'RUNNING' },
    desired: { loadLimitPct: null, runState: null },
    health: { risk: 0.3, rulHours: 9, anomalyScore: 1, wearEstimate: 0.95, model: 'SURROGATE' },
    lastCommandId: null,
    lastCommandAt: null,
    commandsObeyed: 0,
    commandsIgnored: 0,
    commandsTimedOut: 0,
    readings: 100,
  };
}

function enriched(assetId: string): ScoredReading {
  return {
    telemetry: {
      assetId,
      site: 's',
      line: 'l',
      ts: TS,
      seq: 100,
      temperatureC: 84,
      vibrationMmS: 9,
      loadPct: 100,
      pressureBar: null,
      powerKw: 70,
      rpm: 1480,
      runState: 'RUNNING',
      goodUnits: 0,
      rejectedUnits: 0,
      loadLimitPct: null,
    },
    features: { temperatureC: 84, wearEstimate: 0.95, load: 1, coolingFactor: 0.8 },
    risk: { risk: 0.3, rulHours: 9, horizonHours: 6, model: 'SURROGATE' },
    anomaly: { score: 1, signals: [] },
    dtS: 30,
    runningS: 30,
    goodDelta: 0,
    rejectedDelta: 0,
    energyKwh: 0,
    plannedS: 30,
  };
}

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve() {
  const catalogue = await loadCatalogue(DEFAULT_CATALOGUE);
  const states = whatIfJobState(catalogue);
  const asset = catalogue.assets[0]?.id as string;
  states.observe({ type: 'enriched', reading: enriched(asset) });
  states.observe({ type: 'state', state: state(asset) });
  // A state without a temperature and no usable reading yet: nothing the physics can start from.
  const blind = catalogue.assets[2]?.id as string;
  const noTemperature = state(blind);
  states.observe({
    type: 'state',
    state: { ...noTemperature, reported: { ...noTemperature.reported, temperatureC: null } },
  });
  server = await serveLiveView(machineHealthOperatorView(catalogue), {
    port: 0,
    routes: whatIfRoutes({ catalogue, subjectOf: states.subjectOf }),
  });
  return { url: server.url, asset, other: catalogue.assets[1]?.id as string, blind };
}

describe('GET /api/v1/whatif on the live-view server', () => {
  it("answers from the running job's state and features, as JSON", async () => {
    const { url, asset } = await serve();
    const res = await fetch(`${url}${WHAT_IF_PATH}?asset=${asset}&load=0.6&horizon=6h&samples=300&seed=3`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const report = (await res.json()) as WhatIfReport;
    expect(report.state).toMatchObject({
      assetId: asset,
      source: 'job',
      eventTime: new Date(TS).toISOString(),
      version: TS,
      mode: 'NORMAL',
      features: { temperatureC: 84, wearEstimate: 0.95, load: 1, coolingFactor: 0.8 },
      coolingFrom: "the twin's estimate",
    });
    const { answer } = report;
    expect(answer).toMatchObject({
      assetId: asset,
      horizonHours: 6,
      samples: 300,
      seed: 3,
      change: { load: 0.6 },
    });
    expect(answer.changed.features.load).toBe(0.6);
    expect(answer.changed.risk).toBeLessThanOrEqual(answer.asIs.risk);
    expect(answer.riskDelta).toBeCloseTo(answer.changed.risk - answer.asIs.risk, 12);
    // The same question over HTTP twice: the same answer (seeded).
    const again = (await (
      await fetch(`${url}${WHAT_IF_PATH}?asset=${asset}&load=0.6&horizon=6h&samples=300&seed=3`)
    ).json()) as WhatIfReport;
    expect(again.answer).toEqual(answer);
  });

  it('refuses a bad question with 400, an unknown or unseen asset with 404, a state it cannot simulate with 409, and anything but GET with 405', async () => {
    const { url, asset, other, blind } = await serve();
    const get = async (query: string) => {
      const res = await fetch(`${url}${WHAT_IF_PATH}?${query}`);
      return { status: res.status, body: (await res.json()) as { error: string } };
    };
    expect(await get(`asset=${asset}&speed=2`)).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/unknown parameter "speed"/) },
    });
    expect(await get(`asset=${asset}`)).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/at least one change/) },
    });
    expect(await get(`asset=${asset}&load=0.6&horizon=-2h`)).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/horizon must be positive/) },
    });
    expect(await get(`asset=${asset}&load=0.6&samples=100000`)).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/samples must be 1\.\.2000/) },
    });
    expect(await get('load=0.6')).toMatchObject({ status: 400 });
    expect(await get('asset=nope-9&load=0.6')).toMatchObject({
      status: 404,
      body: { error: expect.stringMatching(/not in the catalogue/) },
    });
    expect(await get(`asset=${other}&load=0.6`)).toMatchObject({
      status: 404,
      body: { error: expect.stringMatching(/no twin state yet/) },
    });
    expect(await get(`asset=${blind}&load=0.6`)).toMatchObject({
      status: 409,
      body: { error: expect.stringMatching(/temperatureC is NaN/) },
    });
    const post = await fetch(`${url}${WHAT_IF_PATH}?asset=${asset}&load=0.6`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    // The live view is still there beside it, and the 404 names the new path.
    expect((await fetch(`${url}/api/v1/view`)).status).toBe(200);
    expect(await (await fetch(`${url}/nope`)).text()).toContain(WHAT_IF_PATH);
  });
});
