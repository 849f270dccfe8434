/**
 * One problem found in an asset catalogue. `path` names the asset (or kind,
 * site, line) by id and the field, e.g. `assets[pump-003].temperatureLimitC`.
 *
 * @example
 * const issue: CatalogueIssue = { path: 'assets[pump-003].kind', message: 'unknown kind "pmp"', line: 42 };
 */
export interface CatalogueIssue {
  readonly path: string;
  readonly message: string;
  /** 1-based line in the source file, where it could be located. */
  readonly line?: number;
  readonly column?: number;
}

/**
 * An invalid asset catalogue. Lists every problem found (not only the
 * first), each naming the asset and field, so one run of the validator is
 * enough to fix a file. Not retriable: the file must change.
 *
 * @example
 * try { await loadCatalogue('catalogue.yaml'); }
 * catch (e) { if (e instanceof CatalogueError) for (const i of e.issues) console.error(i.path, i.message); }
 */
export class CatalogueError extends Error {
  override readonly name = 'CatalogueError';
  readonly retriable = false;

  constructor(
    readonly source: string,
    readonly issues: readonly CatalogueIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      `${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the asset catalogue:\n${issues
        .map((i) => `  ${source}${i.line === undefined ? '' : `:${i.line}`}: ${i.path}: ${i.message}`)
        .join('\n')}`,
      options,
    );
  }
}
