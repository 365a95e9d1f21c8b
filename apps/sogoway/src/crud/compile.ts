// Turns a resource's YAML queries into ready-to-run statements: role filter ANDed in, optional list params,
// sort, pagination, `:name` → `?`. Each variant is built once and cached on the compiled resource, which is
// itself cached per ResourceQueries object — a config reload brings new objects, hence fresh compilations.
import type { TokenClaims } from '@sogoms/auth';
import type { CudQuery, ReadQuery, ResourceQueries, RoleFilters } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import {
  addCondition,
  appendLimit,
  compileNamed,
  deferredJoin,
  isIdentifier,
  replaceOrderBy,
} from '@sogoms/sql';
import type { CursorValue } from './cursor.js';

/** Where a placeholder's value comes from: the token, the path id, a list param, or the i-th cursor value. */
export type ValueSource =
  | 'id'
  | 'user_id'
  | 'role'
  | 'email'
  | { param: string }
  | { after: number }
  | { filter: number };

/** The gateway's own placeholders of a keyset condition: `:_after0`, `:_after1`… (list params never start
 * with "_"). */
const AFTER_PLACEHOLDER = /^_after([0-9]{1,2})$/;
/** The values of ?filter[...] conditions and of the `IN (...)` of an expansion: `:_f0`, `:_f1`… */
const FILTER_PLACEHOLDER = /^_f([0-9]{1,5})$/;

/** SQL text with `?` markers; `sources[i]` gives the value of the i-th named marker. */
export interface Statement {
  text: string;
  sources: readonly ValueSource[];
}

/** The values a request can supply to placeholders. */
export interface Bindings {
  id?: number;
  userId: number;
  role: string;
  email: string;
  params?: Readonly<Record<string, string>>;
  /** The values of an ?after= cursor, one per sort key. */
  after?: readonly CursorValue[];
  /** The values of ?filter[...] (crud/list-query.ts), or the ids of an expansion. */
  filters?: readonly (string | number)[];
}

/** The values of a request made with a token, for an item `id` or none. */
export function bindings(claims: TokenClaims, id?: number): Bindings {
  return { id, userId: claims.sub, role: claims.role, email: claims.email };
}

/** The filter chosen for a role: its own entry, else `default`; undefined = no entry at all (refused). */
export function chooseFilter(filters: RoleFilters, role: string): { key: string; sql: string } | undefined {
  if (Object.hasOwn(filters, role)) return { key: role, sql: filters[role]! };
  if (Object.hasOwn(filters, 'default')) return { key: 'default', sql: filters['default']! };
  // The config loader requires `default` in any non-empty mapping; an empty one means "no filter".
  return Object.keys(filters).length === 0 ? { key: '', sql: '' } : undefined;
}

function forbidden(): SogomsError {
  return new SogomsError(ErrorCode.FORBIDDEN, 'Access denied');
}

export function filterFor(filters: RoleFilters, role: string): { key: string; sql: string } {
  const filter = chooseFilter(filters, role);
  if (!filter) throw forbidden();
  return filter;
}

/**
 * Compiles `:name` placeholders. `positional` is how many `?` the gateway itself put in the text (SET values
 * before every named marker, or LIMIT/OFFSET after them); a `?` coming from the YAML would shift the args, so
 * any other count is refused.
 */
export function toStatement(sql: string, positional: number, allowedParams: readonly string[]): Statement {
  const compiled = compileNamed(sql);
  if (compiled.positional !== positional) {
    throw new Error(`query has ${compiled.positional} "?" markers where ${positional} were expected`);
  }
  const sources = compiled.names.map((name): ValueSource => {
    if (name === 'id' || name === 'user_id' || name === 'role' || name === 'email') return name;
    if (allowedParams.includes(name)) return { param: name };
    const after = AFTER_PLACEHOLDER.exec(name);
    if (after) return { after: Number(after[1]) };
    const filter = FILTER_PLACEHOLDER.exec(name);
    if (filter) return { filter: Number(filter[1]) };
    throw new Error(`placeholder :${name} has no value here`);
  });
  return { text: compiled.text, sources };
}

/** The args of a statement, in marker order; an absent list param is a client error. */
export function bind(statement: Statement, b: Bindings, args: unknown[] = []): unknown[] {
  for (const source of statement.sources) {
    switch (source) {
      case 'id':
        args.push(b.id);
        break;
      case 'user_id':
        args.push(b.userId);
        break;
      case 'role':
        args.push(b.role);
        break;
      case 'email':
        args.push(b.email);
        break;
      default: {
        if ('filter' in source) {
          const value = b.filters?.[source.filter];
          if (value === undefined) throw new Error(`filter value ${source.filter} missing`);
          args.push(value);
          break;
        }
        if ('after' in source) {
          const value = b.after?.[source.after];
          if (value === undefined) throw new Error(`cursor value ${source.after} missing`);
          args.push(value);
          break;
        }
        const value = b.params?.[source.param];
        if (value === undefined) {
          throw new SogomsError(ErrorCode.VALIDATION_ERROR, `Query parameter "${source.param}" is required`);
        }
        args.push(value);
      }
    }
  }
  return args;
}

const quote = (identifier: string): string => {
  // Table and column names were checked when the config loaded; checked again since they are pasted into SQL.
  if (!isIdentifier(identifier)) throw new Error(`not an identifier: ${identifier}`);
  return '`' + identifier + '`';
};

/** One column of a list's order; the last one is always the list's key (`id`), which makes it total. */
export interface SortKey {
  column: string;
  desc: boolean;
}

/**
 * How a list page is read: from an offset (`plain`, or `deferred` — the deferred join, for offset > 0), or
 * after a cursor (`after`, with one flag per sort key telling whether the cursor's value is NULL).
 */
export type PageMode =
  | { kind: 'plain' }
  | { kind: 'deferred' }
  | { kind: 'after'; nulls: readonly boolean[] };

const PLAIN_ORDER =
  /^[A-Za-z_][A-Za-z0-9_]{0,63}(?:\s+(?:asc|desc))?(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]{0,63}(?:\s+(?:asc|desc))?)*$/i;

/** The columns of `order` when it is a plain list of `column [ASC|DESC]`; undefined for anything else. */
export function plainOrder(order: string): SortKey[] | undefined {
  const text = order.trim().replace(/^order\s+by\s+/i, '');
  if (!PLAIN_ORDER.test(text)) return undefined;
  return text.split(',').map((part) => {
    const [column, direction] = part.trim().split(/\s+/);
    return { column: column!, desc: direction?.toLowerCase() === 'desc' };
  });
}

/**
 * The keyset condition "the row comes after the cursor" for `keys`, in the order's lexicographic sense, with
 * NULL before every value (ascending) as both MariaDB and SQLite sort it. Values are `:_afterN` placeholders;
 * a NULL cursor value is written `IS NULL` instead (hence one variant per NULL pattern). `notNull` is the key.
 */
export function keysetCondition(
  keys: readonly SortKey[],
  nulls: readonly boolean[],
  notNull: string,
): string {
  const terms: string[] = [];
  const equal: string[] = [];
  keys.forEach((k, i) => {
    const c = quote(k.column);
    const v = `:_after${i}`;
    let after: string | undefined;
    if (nulls[i]) after = k.desc ? undefined : `${c} IS NOT NULL`;
    // The key column is never NULL: its plain comparison keeps the condition a simple index range.
    else if (k.desc) after = k.column === notNull ? `${c} < ${v}` : `(${c} < ${v} OR ${c} IS NULL)`;
    else after = `${c} > ${v}`;
    if (after !== undefined) terms.push(equal.length > 0 ? `(${equal.join(' AND ')} AND ${after})` : after);
    equal.push(nulls[i] ? `${c} IS NULL` : `${c} = ${v}`);
  });
  return terms.length > 0 ? terms.join(' OR ') : '1 = 0';
}

const MAX_VARIANTS = 2_000;

/** A list query's variants: filter × given params × sort × page mode, each with `LIMIT ? OFFSET ?` at the end. */
export class ListPlan {
  readonly paramNames: readonly string[];
  /** The unique column ending every order (YAML `key`, default `id`). */
  readonly key: string;
  private readonly cache = new Map<string, Statement>();
  private readonly defaultKeys: readonly SortKey[] | undefined;

  constructor(readonly query: ReadQuery) {
    this.paramNames = Object.keys(query.params);
    this.key = query.key ?? 'id';
    const base = query.order === undefined ? [] : plainOrder(query.order);
    this.defaultKeys = base && this.withKey(base);
  }

  /** Filters and expansions make many shapes: past MAX_VARIANTS new ones are built per request, not kept. */
  private remember(key: string, statement: Statement): void {
    if (this.cache.size < MAX_VARIANTS) this.cache.set(key, statement);
  }

  private withKey(keys: SortKey[]): SortKey[] {
    if (keys.some((k) => k.column === this.key)) return keys;
    return [...keys, { column: this.key, desc: keys.at(-1)?.desc ?? false }];
  }

  /**
   * The order of a sort ('' = default) as columns ending with the key; undefined when the YAML `order` is
   * more than a list of columns (kept as written, and such a list cannot be paged with a cursor).
   */
  keys(sort: string): readonly SortKey[] | undefined {
    if (sort === '') return this.defaultKeys;
    return this.withKey(
      sort.split(',').map((part) => {
        const desc = part.startsWith('-');
        return { column: desc ? part.slice(1) : part, desc };
      }),
    );
  }

  /** The list's rows before order and page: role filter, given params, ?filter[...] conditions (`where`). */
  private filtered(
    filter: { key: string; sql: string },
    given: readonly boolean[],
    where: { shape: string; sql: string } | undefined,
  ): { sql: string; used: string[] } {
    let sql = addCondition(this.query.query, filter.sql);
    const used: string[] = [];
    this.paramNames.forEach((name, i) => {
      if (!given[i]) return;
      sql = addCondition(sql, this.query.params[name]!);
      used.push(name);
    });
    if (where && where.sql !== '') sql = addCondition(sql, where.sql);
    return { sql, used };
  }

  /** SELECT COUNT(*) AS total over the filtered rows (?count=true). */
  countStatement(
    filter: { key: string; sql: string },
    given: readonly boolean[],
    where?: { shape: string; sql: string },
  ): Statement {
    let mask = '';
    for (const flag of given) mask += flag ? '1' : '0';
    const cacheKey = `count\u0000${filter.key}\u0000${mask}\u0000${where?.shape ?? ''}`;
    let statement = this.cache.get(cacheKey);
    if (!statement) {
      const { sql, used } = this.filtered(filter, given, where);
      statement = toStatement(`SELECT COUNT(*) AS total FROM (${sql}) AS sogoms_count`, 0, used);
      this.remember(cacheKey, statement);
    }
    return statement;
  }

  /** The rows whose key is one of `n` ids (`:_f0`…), under the role filter: an expansion's one query. */
  inStatement(filter: { key: string; sql: string }, n: number): Statement {
    const cacheKey = `in\u0000${filter.key}\u0000${n}`;
    let statement = this.cache.get(cacheKey);
    if (!statement) {
      const marks = Array.from({ length: n }, (_, i) => `:_f${i}`).join(', ');
      const sql = addCondition(
        addCondition(this.query.query, filter.sql),
        `${quote(this.key)} IN (${marks})`,
      );
      statement = toStatement(sql, 0, []);
      this.remember(cacheKey, statement);
    }
    return statement;
  }

  /**
   * `given` has one flag per paramNames entry; `sort` is '' or validated "col,-col2…"; `where` the
   * ?filter[...] condition (its shape keys the cache).
   */
  statement(
    filter: { key: string; sql: string },
    given: readonly boolean[],
    sort: string,
    mode: PageMode = { kind: 'plain' },
    where?: { shape: string; sql: string },
  ): Statement {
    let mask = '';
    for (const flag of given) mask += flag ? '1' : '0';
    let modeKey: string = mode.kind;
    if (mode.kind === 'after') for (const isNull of mode.nulls) modeKey += isNull ? '1' : '0';
    const cacheKey = `${filter.key}\u0000${mask}\u0000${sort}\u0000${modeKey}\u0000${where?.shape ?? ''}`;
    let statement = this.cache.get(cacheKey);
    if (!statement) {
      const filtered = this.filtered(filter, given, where);
      const used = filtered.used;
      let sql = filtered.sql;
      const keys = this.keys(sort);
      if (mode.kind === 'after') {
        if (!keys || keys.length !== mode.nulls.length) throw new Error('cursor does not fit this order');
        sql = addCondition(sql, keysetCondition(keys, mode.nulls, this.key));
      }
      const order = keys
        ? keys.map((k) => `${quote(k.column)} ${k.desc ? 'DESC' : 'ASC'}`).join(', ')
        : this.query.order;
      if (order !== undefined) sql = replaceOrderBy(sql, order);
      sql = appendLimit(sql);
      if (mode.kind === 'deferred') sql = deferredJoin(sql, quote(this.key)) ?? sql;
      statement = toStatement(sql, 2, used);
      this.remember(cacheKey, statement);
    }
    return statement;
  }
}

/** A show query per role filter. */
export class ShowPlan {
  private readonly cache = new Map<string, Statement>();

  constructor(readonly query: ReadQuery) {}

  statement(filter: { key: string; sql: string }): Statement {
    let statement = this.cache.get(filter.key);
    if (!statement) {
      statement = toStatement(addCondition(this.query.query, filter.sql), 0, []);
      this.cache.set(filter.key, statement);
    }
    return statement;
  }
}

/** INSERTs built from the YAML's table and fields only; one variant per set of columns present. */
export class CreatePlan {
  private readonly cache = new Map<string, string>();

  constructor(readonly cud: CudQuery) {}

  text(columns: readonly string[]): string {
    const key = columns.join(',');
    let text = this.cache.get(key);
    if (!text) {
      // Never empty: the handler requires one column at least (MySQL and SQLite disagree on empty INSERTs).
      const marks = columns.map(() => '?').join(', ');
      text = `INSERT INTO ${quote(this.cud.table)} (${columns.map(quote).join(', ')}) VALUES (${marks})`;
      this.cache.set(key, text);
    }
    return text;
  }
}

/** UPDATE ... WHERE id = :id AND (filter), plus the visibility check used when nothing changed. */
export class UpdatePlan {
  private readonly cache = new Map<string, Statement>();
  private readonly visible = new Map<string, Statement>();

  constructor(readonly cud: CudQuery) {}

  statement(filter: { key: string; sql: string }, columns: readonly string[]): Statement {
    const cacheKey = `${filter.key}\u0000${columns.join(',')}`;
    let statement = this.cache.get(cacheKey);
    if (!statement) {
      const set = columns.map((c) => `${quote(c)} = ?`).join(', ');
      const sql = addCondition(
        `UPDATE ${quote(this.cud.table)} SET ${set} WHERE ${quote('id')} = :id`,
        filter.sql,
      );
      statement = toStatement(sql, columns.length, []);
      this.cache.set(cacheKey, statement);
    }
    return statement;
  }

  visibility(filter: { key: string; sql: string }): Statement {
    return visibilityStatement(this.visible, this.cud.table, filter);
  }
}

/** DELETE ... WHERE id = :id AND (filter). */
export class DeletePlan {
  private readonly cache = new Map<string, Statement>();

  constructor(readonly cud: CudQuery) {}

  statement(filter: { key: string; sql: string }): Statement {
    let statement = this.cache.get(filter.key);
    if (!statement) {
      const sql = addCondition(`DELETE FROM ${quote(this.cud.table)} WHERE ${quote('id')} = :id`, filter.sql);
      statement = toStatement(sql, 0, []);
      this.cache.set(filter.key, statement);
    }
    return statement;
  }
}

function visibilityStatement(
  cache: Map<string, Statement>,
  table: string,
  filter: { key: string; sql: string },
): Statement {
  let statement = cache.get(filter.key);
  if (!statement) {
    const sql = addCondition(
      `SELECT 1 AS visible FROM ${quote(table)} WHERE ${quote('id')} = :id`,
      filter.sql,
    );
    statement = toStatement(sql, 0, []);
    cache.set(filter.key, statement);
  }
  return statement;
}

export interface CompiledResource {
  name: string;
  ownerField: string;
  list?: ListPlan;
  show?: ShowPlan;
  create?: CreatePlan;
  update?: UpdatePlan;
  delete?: DeletePlan;
}

const compiled = new WeakMap<ResourceQueries, CompiledResource>();

/** The compiled form of a resource, built once per config version. */
export function compileResource(resource: ResourceQueries): CompiledResource {
  let out = compiled.get(resource);
  if (!out) {
    out = { name: resource.name, ownerField: resource.ownerField };
    if (resource.list) out.list = new ListPlan(resource.list);
    if (resource.show) out.show = new ShowPlan(resource.show);
    if (resource.create) out.create = new CreatePlan(resource.create);
    if (resource.update) out.update = new UpdatePlan(resource.update);
    if (resource.delete) out.delete = new DeletePlan(resource.delete);
    compiled.set(resource, out);
  }
  return out;
}
