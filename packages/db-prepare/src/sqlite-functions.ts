// MySQL functions the demo's queries may use, registered on each SQLite connection so the same SQL runs on
// both drivers. Dates are UTC text, the format of SQLite's CURRENT_TIMESTAMP and of MariaDB with
// time_zone '+00:00': "YYYY-MM-DD HH:MM:SS". IFNULL, IF (SQLite ≥ 3.48), COALESCE, CURRENT_TIMESTAMP and
// CURRENT_DATE are native.
import type { Database } from 'better-sqlite3';

type SqlValue = number | string | bigint | Buffer | null;

/** "YYYY-MM-DD HH:MM:SS" in UTC. */
export function utcDateTime(date: Date = new Date()): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function text(value: SqlValue): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** Seconds since the epoch of a "YYYY-MM-DD[ HH:MM:SS]" UTC text, or null when it is not a date. */
function unixSeconds(value: SqlValue): number | null {
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  if (value === null) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?/.exec(text(value));
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0));
  return Math.floor(ms / 1000) + Number(m[6] ?? 0);
}

/** Registers NOW(), UTC_TIMESTAMP(), CURDATE(), UTC_DATE(), CURTIME(), UNIX_TIMESTAMP([date]),
 *  FROM_UNIXTIME(n), CONCAT(...), CONCAT_WS(sep, ...) and LAST_INSERT_ID(). */
export function registerMysqlFunctions(db: Database, lastInsertId: () => number): void {
  const volatile = { deterministic: false };
  const now = () => utcDateTime();
  db.function('now', volatile, now);
  db.function('utc_timestamp', volatile, now);
  db.function('sysdate', volatile, now);
  const today = () => utcDateTime().slice(0, 10);
  db.function('curdate', volatile, today);
  db.function('utc_date', volatile, today);
  db.function('curtime', volatile, () => utcDateTime().slice(11));
  db.function('unix_timestamp', { deterministic: false, varargs: true }, (...args: SqlValue[]) =>
    args.length === 0 ? Math.floor(Date.now() / 1000) : unixSeconds(args[0] ?? null),
  );
  db.function('from_unixtime', { deterministic: true }, (seconds: SqlValue) =>
    seconds === null ? null : utcDateTime(new Date(Number(seconds) * 1000)),
  );
  // MySQL CONCAT is NULL as soon as one argument is NULL (SQLite's || behaves the same way).
  db.function('concat', { deterministic: true, varargs: true }, (...args: SqlValue[]) =>
    args.some((a) => a === null) ? null : args.map(text).join(''),
  );
  db.function('concat_ws', { deterministic: true, varargs: true }, (...args: SqlValue[]) => {
    const [sep, ...rest] = args;
    if (sep === null || sep === undefined) return null;
    return rest
      .filter((a) => a !== null)
      .map(text)
      .join(text(sep));
  });
  db.function('last_insert_id', volatile, () => lastInsertId());
}
