// Error mapping for the driver errors a live server rarely produces on demand (the common ones are produced
// for real in actions.test.ts, mysql.test.ts and sqlite.test.ts).
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { describe, expect, it } from 'vitest';
import { DriverUnavailableError, mapDriverError, mapMysqlError, mapSqliteError } from '../src/errors.js';

const mysqlError = (fields: Record<string, unknown>) => Object.assign(new Error('driver text'), fields);

describe('mapMysqlError', () => {
  it.each([
    [{ errno: 1205, code: 'ER_LOCK_WAIT_TIMEOUT' }, ErrorCode.TIMEOUT],
    [{ errno: 1969, code: 'ER_STATEMENT_TIMEOUT' }, ErrorCode.TIMEOUT],
    [{ errno: 1451, code: 'ER_ROW_IS_REFERENCED_2' }, ErrorCode.DB_CONSTRAINT],
    [{ errno: 1406, code: 'ER_DATA_TOO_LONG' }, ErrorCode.DB_CONSTRAINT],
    [{ errno: 1040, code: 'ER_CON_COUNT_ERROR' }, ErrorCode.DB_UNAVAILABLE],
    [{ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }, ErrorCode.DB_UNAVAILABLE],
    [{ code: 'ETIMEDOUT' }, ErrorCode.DB_UNAVAILABLE],
    [{ errno: 1064, code: 'ER_PARSE_ERROR' }, ErrorCode.DB_ERROR],
  ])('%j → %s', (fields, code) => {
    expect(mapMysqlError(mysqlError(fields)).code).toBe(code);
  });

  it('reads the key of a duplicate from MariaDB and MySQL 8 messages', () => {
    const maria = mapMysqlError(
      mysqlError({ errno: 1062, sqlMessage: "Duplicate entry 'a@b.c' for key 'uq_users_email'" }),
    );
    expect([maria.code, maria.data]).toEqual([ErrorCode.DB_DUPLICATE, { key: 'uq_users_email' }]);
    const mysql8 = mapMysqlError(
      mysqlError({ errno: 1062, sqlMessage: "Duplicate entry 'a@b.c' for key 'users.uq_users_email'" }),
    );
    expect(mysql8.data).toEqual({ key: 'uq_users_email' });
  });

  it('a closed pool is DB_UNAVAILABLE; anything unknown is DB_ERROR "query failed"', () => {
    expect(mapMysqlError(new Error('Pool is closed.')).code).toBe(ErrorCode.DB_UNAVAILABLE);
    const unknown = mapMysqlError('something odd');
    expect([unknown.code, unknown.message]).toEqual([ErrorCode.DB_ERROR, 'query failed']);
  });
});

describe('mapSqliteError', () => {
  const sqliteError = (code: string, message = 'driver text') => Object.assign(new Error(message), { code });

  it.each([
    ['SQLITE_BUSY', ErrorCode.TIMEOUT],
    ['SQLITE_LOCKED_SHAREDCACHE', ErrorCode.TIMEOUT],
    ['SQLITE_CONSTRAINT_TRIGGER', ErrorCode.DB_CONSTRAINT],
    ['SQLITE_READONLY_DBMOVED', ErrorCode.DB_UNAVAILABLE],
    ['SQLITE_IOERR_SHORT_READ', ErrorCode.DB_UNAVAILABLE],
    ['SQLITE_ERROR', ErrorCode.DB_ERROR],
  ])('%s → %s', (code, expected) => {
    expect(mapSqliteError(sqliteError(code)).code).toBe(expected);
  });

  it('a binding error from better-sqlite3 (no SQLite code) is DB_ERROR', () => {
    expect(mapSqliteError(new RangeError('Too few parameter values were provided')).code).toBe(
      ErrorCode.DB_ERROR,
    );
  });
});

describe('mapDriverError', () => {
  it('passes SogomsErrors through and maps an unreachable driver to DB_UNAVAILABLE', () => {
    const own = new SogomsError(ErrorCode.TIMEOUT, 'query timed out after 5 ms');
    expect(mapDriverError('mysql', own)).toBe(own);
    expect(mapDriverError('sqlite', new DriverUnavailableError('SQLITE_CANTOPEN', 'x')).code).toBe(
      ErrorCode.DB_UNAVAILABLE,
    );
  });
});
