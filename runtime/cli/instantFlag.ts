import { UsageError } from './flags.js';

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * A flag that must be an ISO 8601 instant, as epoch ms: a date (midnight
 * UTC), or a date and time with a zone (`Z` or `±hh:mm`). A time without a
 * zone is refused: it would mean the local time of whichever machine runs
 * the command. Throws UsageError naming `command` and the flag.
 *
 * @example
 * instantFlag('replay', 'from-time', '2026-01-05T06:00Z'); // 1767592800000
 * instantFlag('replay', 'from-time', '2026-01-05T06:00'); // throws: has no zone (add Z for UTC)
 */
export function instantFlag(command: string, flag: string, raw: string): number {
  const m = ISO_INSTANT.exec(raw.trim());
  const bad = (why: string) =>
    new UsageError(
      `${command}: --${flag} must be an ISO 8601 time with a zone, e.g. 2026-01-05T06:00Z; ${why}`,
    );
  if (m === null) throw bad(`got "${raw}"`);
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) throw bad(`"${raw}" is not a calendar date`);
  if (h === undefined) return Date.UTC(year, month - 1, day);
  if (zone === undefined) throw bad(`"${raw}" has no zone (add Z for UTC)`);
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) throw bad(`"${raw}" is not a time of day`);
  const ms = (fraction ?? '').padEnd(3, '0').slice(0, 3);
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  return Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}.${ms}${offset}`);
}
