// The SQL an app's queries become once the gateway has compiled them (apps/sogoway/src/crud/compile.ts): each
// role filter ANDed in, the list params, ORDER BY with the key, LIMIT ? OFFSET ?, `:name` → `?`. These are the
// statements prepared against the database by `sogoctl check`, by sogoway at start and before a reload.
import type { AppConfig, CudQuery, ReadQuery, RoleFilters } from '@sogoms/config';
import { addCondition, appendLimit, compileNamed, isIdentifier, replaceOrderBy } from '@sogoms/sql';

/** One statement to prepare, named by the file and section it comes from. */
export interface PrepareStatement {
  /** Relative to the config root: "queries/prokov/tasks.yaml". */
  file: string;
  /** "list (filter admin)", "update", "login"… */
  section: string;
  /** With `?` markers only. */
  sql: string;
}

/** Identifiers were checked by the config loader; anything else is left out rather than pasted into SQL. */
const quote = (id: string): string | undefined => (isIdentifier(id) ? '`' + id + '`' : undefined);

/** The filters the gateway may AND in: every role's own entry and `default`; '' when the mapping is empty. */
function filtersOf(filters: RoleFilters): [string, string][] {
  const entries = Object.entries(filters);
  return entries.length === 0 ? [['', '']] : entries;
}

const label = (section: string, role: string): string =>
  role === '' ? section : `${section} (filter ${role})`;

function listStatements(file: string, q: ReadQuery): PrepareStatement[] {
  const key = q.key ?? 'id';
  const out: PrepareStatement[] = [];
  for (const [role, filter] of filtersOf(q.filters)) {
    let sql = addCondition(q.query, filter);
    // Every list param given: each condition is checked once, as the gateway may AND any of them in.
    for (const condition of Object.values(q.params)) sql = addCondition(sql, condition);
    const orders: [string, string][] = q.order === undefined ? [] : [['list', q.order]];
    for (const column of q.sortable) {
      const c = quote(column);
      const k = quote(key);
      if (c && k) orders.push([`list sort=${column}`, column === key ? `${c} ASC` : `${c} ASC, ${k} ASC`]);
    }
    if (orders.length === 0) out.push({ file, section: label('list', role), sql: appendLimit(sql) });
    for (const [section, order] of orders) {
      out.push({ file, section: label(section, role), sql: appendLimit(replaceOrderBy(sql, order)) });
    }
  }
  return out;
}

function readStatements(file: string, section: string, q: ReadQuery): PrepareStatement[] {
  return filtersOf(q.filters).map(([role, filter]) => ({
    file,
    section: label(section, role),
    sql: addCondition(q.query, filter),
  }));
}

function cudStatements(file: string, section: string, cud: CudQuery): PrepareStatement[] {
  const table = quote(cud.table);
  const columns = cud.fields.map(quote).filter((c): c is string => c !== undefined);
  if (!table) return [];
  if (section === 'create') {
    if (columns.length === 0) return [];
    const marks = columns.map(() => '?').join(', ');
    return [{ file, section, sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${marks})` }];
  }
  return filtersOf(cud.filters).flatMap(([role, filter]): PrepareStatement[] => {
    const where = `WHERE \`id\` = :id`;
    if (section === 'delete') {
      return [
        { file, section: label(section, role), sql: addCondition(`DELETE FROM ${table} ${where}`, filter) },
      ];
    }
    const set = columns.map((c) => `${c} = ?`).join(', ');
    const out: PrepareStatement[] = [
      {
        file,
        section: label(`${section} visibility`, role),
        sql: addCondition(`SELECT 1 AS visible FROM ${table} ${where}`, filter),
      },
    ];
    if (set !== '') {
      out.push({
        file,
        section: label(section, role),
        sql: addCondition(`UPDATE ${table} SET ${set} ${where}`, filter),
      });
    }
    return out;
  });
}

/**
 * Every statement of an app's queries, in a stable order. A statement the SQL helpers cannot build (the loader
 * already reported why) is left out.
 */
export function appStatements(app: AppConfig): PrepareStatement[] {
  const out: PrepareStatement[] = [];
  const add = (build: () => PrepareStatement[]): void => {
    try {
      for (const st of build()) out.push({ ...st, sql: compileNamed(st.sql).text });
    } catch {
      // Reported by the config check; nothing to prepare.
    }
  };
  for (const name of Object.keys(app.resources).sort()) {
    const r = app.resources[name]!;
    const file = `queries/${app.app}/${r.name}.yaml`;
    if (r.list) add(() => listStatements(file, r.list!));
    if (r.show) add(() => readStatements(file, 'show', r.show!));
    if (r.create) add(() => cudStatements(file, 'create', r.create!));
    if (r.update) add(() => cudStatements(file, 'update', r.update!));
    if (r.delete) add(() => cudStatements(file, 'delete', r.delete!));
  }
  const auth = app.authQueries;
  if (auth) {
    const file = `queries/${app.app}/auth.yaml`;
    add(() => [{ file, section: 'login', sql: auth.login.query }]);
    add(() => [{ file, section: 'me', sql: auth.me.query }]);
  }
  return out;
}

/** The statements of `next` that are new or differ from `previous` (same file and section). */
export function changedStatements(
  next: readonly PrepareStatement[],
  previous: readonly PrepareStatement[] | undefined,
): PrepareStatement[] {
  if (!previous) return [...next];
  const known = new Map(previous.map((st) => [`${st.file}\u0000${st.section}`, st.sql]));
  return next.filter((st) => known.get(`${st.file}\u0000${st.section}`) !== st.sql);
}
