// Turns a resource's YAML queries into ready-to-run statements: role filter ANDed in, optional list params,
// sort, pagination, `:name` → `?`. Each variant is built once and cached on the compiled resource, which is
// itself cached per ResourceQueries object — a config reload brings new objects, hence fresh compilations.
import type { TokenClaims } from '@sogoms/auth';
import type { CudQuery, ReadQuery, ResourceQueries, RoleFilters } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { addCondition, appendLimit, compileNamed, isIdentifier, replaceOrderBy } from '@sogoms/sql';

/** Where a placeholder's value comes from. */
export type ValueSource = 'id' | 'user_id' | 'role' | 'email' | { param: string };

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

/** A list query's variants: filter × given params × sort, each with `LIMIT ? OFFSET ?` at the end. */
export class ListPlan {
  readonly paramNames: readonly string[];
  private readonly cache = new Map<string, Statement>();

  constructor(readonly query: ReadQuery) {
    this.paramNames = Object.keys(query.params);
  }

  /** `given` has one flag per paramNames entry; `sort` is '' or a validated "col" / "-col". */
  statement(filter: { key: string; sql: string }, given: readonly boolean[], sort: string): Statement {
    let mask = '';
    for (const flag of given) mask += flag ? '1' : '0';
    const cacheKey = `${filter.key}\u0000${mask}\u0000${sort}`;
    let statement = this.cache.get(cacheKey);
    if (!statement) {
      let sql = addCondition(this.query.query, filter.sql);
      const used: string[] = [];
      this.paramNames.forEach((name, i) => {
        if (!given[i]) return;
        sql = addCondition(sql, this.query.params[name]!);
        used.push(name);
      });
      const order =
        sort === '' ? this.query.order : sort.startsWith('-') ? `${sort.slice(1)} DESC` : `${sort} ASC`;
      if (order !== undefined) sql = replaceOrderBy(sql, order);
      statement = toStatement(appendLimit(sql), 2, used);
      this.cache.set(cacheKey, statement);
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
