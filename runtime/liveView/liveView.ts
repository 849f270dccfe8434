/**
 * What a job shows on its live operator page and JSON API: a few tables
 * (sections) of plain values the job keeps up to date while it runs. The
 * runtime serves them (runtime/liveView/liveViewRoutes.ts); the job decides
 * what is in them. Read-only by construction: a view is values, it has no
 * way to receive anything from the page.
 */

/**
 * How the page formats a column's values. `eventTime` is epoch ms shown as
 * a UTC date-time; `durationMs` is a span of time (e.g. the age of the last
 * reading, in event time); `ratio` is 0..1 shown as a percentage; `status`
 * is a short word shown as a badge whose tone the column's `tones` give.
 */
export type ViewColumnKind = 'text' | 'number' | 'ratio' | 'eventTime' | 'durationMs' | 'status';

/** The tone of a status value: the badge's colours (always with the word itself, never colour alone). */
export type ViewTone = 'ok' | 'info' | 'warn' | 'bad' | 'muted';

/**
 * One column of a section.
 *
 * @example
 * const mode: ViewColumn = { key: 'mode', label: 'Mode', kind: 'status', tones: { NORMAL: 'ok', FAILED: 'bad' } };
 */
export interface ViewColumn {
  /** The row field it shows. */
  readonly key: string;
  readonly label: string;
  readonly kind: ViewColumnKind;
  /** Decimals for `number` and `ratio` (default 1). */
  readonly digits?: number;
  /** Tone per status value (others are `muted`). */
  readonly tones?: Readonly<Record<string, ViewTone>>;
}

/** A cell value: what JSON carries and the page can format; null is "no value yet". */
export type ViewValue = string | number | boolean | null;

/**
 * One table of the view: the asset grid, the alert list, a roll-up.
 *
 * @example
 * const section: ViewSection = {
 *   id: 'assets', title: 'Assets', rowKey: 'asset',
 *   columns: [{ key: 'asset', label: 'Asset', kind: 'text' }], rows: [{ asset: 'pump-001' }],
 * };
 */
export interface ViewSection {
  /** Stable id (an HTML id and the key scripts use). */
  readonly id: string;
  readonly title: string;
  /** One sentence for people: what the table shows. */
  readonly description?: string;
  readonly columns: readonly ViewColumn[];
  /** The field that identifies a row (keyboard focus follows it across updates). */
  readonly rowKey: string;
  readonly rows: readonly Readonly<Record<string, ViewValue>>[];
}

/**
 * What the job shows now.
 *
 * @example
 * const snapshot: LiveViewSnapshot = { eventTime: Date.UTC(2026, 0, 5), status: 'running', sections: [] };
 */
export interface LiveViewSnapshot {
  /** The newest event time the job has processed (epoch ms), null before the first record. */
  readonly eventTime: number | null;
  /** 'running' while the job processes input, 'finished' once a bounded run has ended. */
  readonly status: 'starting' | 'running' | 'finished';
  /** A few headline figures (label and preformatted value). */
  readonly summary?: readonly { readonly label: string; readonly value: string }[];
  readonly sections: readonly ViewSection[];
}

/**
 * A job's live view: its title and a snapshot on demand. `snapshot()` is
 * called once per update interval while a page or script is connected, and
 * for every GET of the JSON view, so it builds from state the job already
 * keeps rather than querying anything.
 *
 * @example
 * const view: LiveView = { job: 'pumps', title: 'Pump hall', snapshot: () => ({ eventTime: null, status: 'starting', sections: [] }) };
 */
export interface LiveView {
  /** The job's name, e.g. 'machine-health'. */
  readonly job: string;
  readonly title: string;
  snapshot(): LiveViewSnapshot;
}

/** The API version the JSON documents carry; a change of shape gets a new one. */
export const LIVE_VIEW_API = 'twinflow.view/v1';

/**
 * The JSON document of GET /api/v1/view and of each server-sent `view`
 * event: the snapshot with who serves it. `instance` changes when the job's
 * process (or embedded run) restarts: a page or script seeing a new id knows
 * the figures started again from that run's beginning.
 *
 * @example
 * const doc: LiveViewDocument = await (await fetch(`${url}/api/v1/view`)).json();
 * doc.sections.find((s) => s.id === 'assets')?.rows.length;
 */
export interface LiveViewDocument extends LiveViewSnapshot {
  readonly api: typeof LIVE_VIEW_API;
  readonly job: string;
  readonly title: string;
  readonly instance: { readonly id: string; readonly startedAt: string };
  /** Wall-clock time the document was made (ISO 8601). */
  readonly generatedAt: string;
}
