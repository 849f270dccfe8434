/**
 * Where a CLI command writes and what environment it sees. Results go to
 * `out` (stdout, so they can be piped); progress, notes and failures go to
 * `err` (stderr), so a pipe receives only results. Injected so tests capture
 * both without touching the process.
 *
 * @example
 * const lines: string[] = [];
 * const io: CommandIo = { out: (l) => lines.push(l), err: () => {}, env: {} };
 */
export interface CommandIo {
  /** One line of result, without its newline. */
  out(line: string): void;
  /** One line of progress or diagnostics, without its newline. */
  err(line: string): void;
  /** Where a command reads its environment variables (e.g. `CLICKHOUSE_PASSWORD`). */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The process's own stdout, stderr and environment.
 *
 * @example
 * process.exitCode = await runSql(process.argv.slice(3), processIo());
 */
export function processIo(): CommandIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  };
}
