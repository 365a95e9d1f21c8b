// Error mapping for the driver errors a live server rarely produces on demand (the common ones are produced
// for real in actions.test.ts, mysql.test.ts and sqlite.test.ts).
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { describe, expect, it } from 'vitest';
import {
  DriverUnavailableError,
  describeDriverError,
  mapDriverError,
  mapMysqlError,
  mapSqliteError,
  scrubDriverMessage,
} from '../src/errors.js';

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

describe('value errors name the column, never the value (issue 16)', () => {
  it.each([
    [1406, "Data too long for column 'name' at row 1", 'Field "name" is too long'],
    [1264, "Out of range value for column 'position' at row 1", 'Field "position" is out of range'],
    [
      1366,
      "Incorrect integer value: 'abc' for column `db`.`projects`.`position` at row 1",
      'Field "position" has an invalid value',
    ],
    [
      1366,
      "Incorrect integer value: 'abc' for column 'position' at row 1",
      'Field "position" has an invalid value',
    ],
    [
      1292,
      "Incorrect date value: '2025-02-30' for column `db`.`tasks`.`due_date` at row 1",
      'Field "due_date" has an invalid value',
    ],
  ])('MariaDB %i → VALIDATION_ERROR (was a 409 CONFLICT)', (errno, sqlMessage, message) => {
    const err = mapMysqlError(mysqlError({ errno, sqlMessage }));
    expect([err.code, err.message]).toEqual([ErrorCode.VALIDATION_ERROR, message]);
  });

  it.each([
    [
      'SQLITE_CONSTRAINT_DATATYPE',
      'cannot store TEXT value in INTEGER column projects.position',
      'Field "position" has an invalid value',
    ],
    ['SQLITE_CONSTRAINT_CHECK', 'CHECK constraint failed: length(name) <= 150', 'Field "name" is too long'],
    [
      'SQLITE_CONSTRAINT_CHECK',
      'CHECK constraint failed: octet_length(description) <= 65535',
      'Field "description" is too long',
    ],
    [
      'SQLITE_CONSTRAINT_CHECK',
      'CHECK constraint failed: position BETWEEN -2147483648 AND 2147483647',
      'Field "position" is out of range',
    ],
    [
      'SQLITE_CONSTRAINT_CHECK',
      'CHECK constraint failed: date(due_date) IS due_date',
      'Field "due_date" has an invalid value',
    ],
  ])('SQLite %s "%s" → VALIDATION_ERROR', (code, text, message) => {
    const err = mapSqliteError(Object.assign(new Error(text), { code }));
    expect([err.code, err.message, err.data]).toEqual([
      ErrorCode.VALIDATION_ERROR,
      message,
      { field: message.split('"')[1] },
    ]);
  });

  it('any other CHECK stays DB_CONSTRAINT check', () => {
    const err = mapSqliteError(
      Object.assign(new Error('CHECK constraint failed: qty >= 0'), { code: 'SQLITE_CONSTRAINT_CHECK' }),
    );
    expect([err.code, err.data]).toEqual([ErrorCode.DB_CONSTRAINT, { kind: 'check' }]);
  });
});

describe('driver messages in logs keep names, drop values (issue 15)', () => {
  it.each([
    [
      1062,
      "Duplicate entry 'x@y.z' for key 'uq_users_email'",
      "Duplicate entry '…' for key 'uq_users_email'",
    ],
    [
      1062,
      "Duplicate entry 'o'brien@y.z' for key 'users.uq_users_email'",
      "Duplicate entry '…' for key 'uq_users_email'",
    ],
    [
      1366,
      "Incorrect integer value: 'secret' for column `db`.`projects`.`position` at row 1",
      "Incorrect integer value: '…' for column 'position' at row 1",
    ],
    [
      1292,
      "Incorrect datetime value: 'x' for column 'at' at row 3",
      "Incorrect datetime value: '…' for column 'at' at row 3",
    ],
    [1292, "Truncated incorrect DOUBLE value: 'secret'", "Truncated incorrect DOUBLE value: '…'"],
    [1406, "Data too long for column 'name' at row 1", "Data too long for column 'name' at row 1"],
    [1048, "Column 'name' cannot be null", "Column 'name' cannot be null"],
    [
      1064,
      "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near 'secret' LIMIT 1' at line 1",
      "You have an error in your SQL syntax; check the manual that corresponds to your MariaDB server version for the right syntax to use near '…'",
    ],
    [9999, "Something about 'secret'", "Something about '…'"],
  ])('MariaDB %i', (errno, message, expected) => {
    expect(scrubDriverMessage(errno, message)).toBe(expected);
  });

  it('describeDriverError logs the scrubbed text of a mysql2 error, never its sqlMessage or sql', () => {
    const err = mysqlError({
      errno: 1062,
      code: 'ER_DUP_ENTRY',
      sqlMessage: "Duplicate entry 'ann@example.com' for key 'uq_users_email'",
      sql: "INSERT INTO users (email) VALUES ('ann@example.com')",
    });
    const logged = describeDriverError(err);
    expect(logged).toEqual({
      driver_code: 'ER_DUP_ENTRY',
      errno: 1062,
      detail: "Duplicate entry '…' for key 'uq_users_email'",
    });
  });

  it('SQLite texts (values are bound apart, never quoted) are kept; a long text is cut', () => {
    expect(scrubDriverMessage(undefined, 'UNIQUE constraint failed: users.email')).toBe(
      'UNIQUE constraint failed: users.email',
    );
    expect(scrubDriverMessage(undefined, 'x'.repeat(400))).toHaveLength(301);
  });
});
