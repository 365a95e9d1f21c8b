// GET {base_path}/openapi.json (DOCTECH §5.8): an OpenAPI 3.1 document of one app, built from its AppConfig —
// the auth routes, and per resource its sections, list parameters (params, filters, sort, paging, fields,
// count, expand), request and response schemas (typed from schema/{app}.yaml when the resource comes from a
// table there, plain scalars otherwise), the envelope and the error envelope, bearer auth. Built once per
// AppConfig object (a config reload brings a new one) and kept as its JSON text.
import type {
  AppConfig,
  FieldRule,
  ReadQuery,
  ResourceQueries,
  SchemaField,
  SchemaTable,
  SchemaType,
} from '@sogoms/config';
import { FILTER_OPS } from '../crud/list-query.js';

type Json = Record<string, unknown>;

const cache = new WeakMap<AppConfig, string>();

/** The document's JSON text, built once per config version. */
export function openApiJson(app: AppConfig): string {
  let text = cache.get(app);
  if (text === undefined) {
    text = JSON.stringify(openApiDocument(app));
    cache.set(app, text);
  }
  return text;
}

const SCALAR: Json = { type: ['string', 'number', 'boolean', 'null'] };
const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/** Statuses every route may answer besides its own (bad input, token, role, rate, size, backend). */
const ERRORS: Readonly<Record<string, string>> = {
  '400': 'Invalid input (VALIDATION_ERROR), naming what is wrong',
  '401': 'Missing, invalid or expired token, or wrong credentials',
  '403': 'The role may not do this (FORBIDDEN)',
  '404': 'Not found, or not visible to the caller',
  '409': 'Conflict (duplicate entry, constraint)',
  '413': 'Body too large',
  '415': 'Body is not JSON',
  '422': 'Result too large: ask for a smaller page',
  '429': 'Rate limited',
  '500': 'Internal or database error',
  '503': 'A backend service is unavailable',
};

function errorResponses(): Json {
  const out: Json = {};
  for (const status of Object.keys(ERRORS)) out[status] = { $ref: `#/components/responses/E${status}` };
  return out;
}

function okResponse(status: string, description: string, data: Json, meta?: Json): Json {
  const properties: Json = {
    success: { const: true },
    message: { type: 'string' },
    data,
  };
  if (meta) properties.meta = meta;
  return {
    [status]: {
      description,
      content: {
        'application/json': {
          schema: { type: 'object', required: ['success', 'message', 'data'], properties },
        },
      },
    },
  };
}

function jsonBody(schema: Json, required = true): Json {
  return { required, content: { 'application/json': { schema } } };
}

// ---- field types -----------------------------------------------------------------------------------------

function typeOf(type: SchemaType, rule?: Pick<FieldRule, 'values' | 'min' | 'max' | 'pattern'>): Json {
  switch (type) {
    case 'int':
    case 'bigint':
      return { type: 'integer' };
    case 'decimal':
      // mysql2 gives DECIMAL as text, SQLite as a number.
      return { type: ['number', 'string'] };
    case 'bool':
      return { type: ['boolean', 'integer'] };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'datetime':
      return { type: 'string' };
    case 'email':
      return { type: 'string', format: 'email' };
    case 'enum':
      return rule?.values ? { type: 'string', enum: [...rule.values] } : { type: 'string' };
    case 'json':
      return {};
    default:
      return { type: 'string' };
  }
}

function nullable(schema: Json, isNullable: boolean): Json {
  if (!isNullable || schema.type === undefined) return schema;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const out: Json = { ...schema, type: [...types, 'null'] };
  if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  return out;
}

function fieldSchema(f: SchemaField): Json {
  return nullable(typeOf(f.type, f), f.nullable);
}

function ruleSchema(rule: FieldRule): Json {
  const s = typeOf(rule.type, rule);
  if (rule.type === 'int' || rule.type === 'bigint' || rule.type === 'decimal') {
    if (rule.min !== undefined) s.minimum = rule.min;
    if (rule.max !== undefined) s.maximum = rule.max;
  }
  // A text's bounds count characters (code points), as JSON Schema does; its pattern must match the whole value.
  if (rule.type === 'string' || rule.type === 'text' || rule.type === 'email') {
    if (rule.min !== undefined) s.minLength = rule.min;
    if (rule.max !== undefined) s.maxLength = rule.max;
    if (rule.pattern !== undefined) s.pattern = `^(?:${rule.pattern})$`;
  }
  // A write takes true/false or 0/1 (the row may give either back).
  if (rule.type === 'bool') s.enum = [true, false, 0, 1];
  return nullable(s, rule.nullable);
}

/** The schema table a resource was generated from (same name), if the app has a schema. */
function tableOf(app: AppConfig, resource: ResourceQueries): SchemaTable | undefined {
  return app.schema?.tables.find((t) => t.name === resource.name);
}

function rowSchema(app: AppConfig, resource: ResourceQueries): Json {
  const table = tableOf(app, resource);
  const properties: Json = {};
  if (table) {
    for (const f of table.fields) if (!f.hidden) properties[f.name] = fieldSchema(f);
  } else {
    const names = new Set<string>([
      'id',
      ...(resource.list?.fields ?? []),
      ...(resource.create?.fields ?? []),
    ]);
    for (const name of names) properties[name] = name === 'id' ? { type: 'integer' } : SCALAR;
  }
  return { type: 'object', properties, additionalProperties: true };
}

function writeSchema(resource: ResourceQueries, section: 'create' | 'update'): Json | undefined {
  const cud = resource[section];
  if (!cud) return undefined;
  const properties: Json = {};
  const required: string[] = [];
  for (const field of cud.fields) {
    if (field === resource.ownerField) continue;
    const rule = cud.rules?.[field];
    properties[field] = rule ? ruleSchema(rule) : SCALAR;
    if (rule?.required && section === 'create') required.push(field);
  }
  const schema: Json = { type: 'object', properties, additionalProperties: false, minProperties: 1 };
  if (required.length > 0) schema.required = required;
  return schema;
}

// ---- list parameters -------------------------------------------------------------------------------------

function queryParam(name: string, description: string, schema: Json): Json {
  return { name, in: 'query', required: false, description, schema };
}

function listParameters(list: ReadQuery): Json[] {
  const params: Json[] = [
    queryParam('limit', `Rows per page (default ${list.limit.default}, at most ${list.limit.max})`, {
      type: 'integer',
      minimum: 1,
    }),
    queryParam('offset', `Rows to skip (at most ${list.limit.maxOffset ?? 1000}); use after to go further`, {
      type: 'integer',
      minimum: 0,
    }),
    queryParam('after', 'Cursor: meta.next of the previous page', { type: 'string' }),
    queryParam('count', 'true: meta.total gives the number of matching rows', { type: 'boolean' }),
  ];
  if (list.sortable.length > 0) {
    params.push(
      queryParam(
        'sort',
        `Comma-separated sort keys, "-" in front for descending; sortable: ${list.sortable.join(', ')}`,
        { type: 'string', pattern: `^-?(${list.sortable.join('|')})(,-?(${list.sortable.join('|')})){0,4}$` },
      ),
    );
  }
  if (list.fields && list.fields.length > 0) {
    params.push(
      queryParam('fields', `Comma-separated columns to return; among: ${list.fields.join(', ')}`, {
        type: 'string',
      }),
    );
  }
  const expand = Object.keys(list.expand ?? {});
  if (expand.length > 0) {
    params.push(
      queryParam('expand', `Comma-separated relations to embed; among: ${expand.join(', ')}`, {
        type: 'string',
      }),
    );
  }
  for (const name of Object.keys(list.params)) {
    params.push(queryParam(name, 'A parameter of this list (narrows the rows)', { type: 'string' }));
  }
  for (const column of list.filterable ?? []) {
    params.push(queryParam(`filter[${column}]`, `${column} equals the value`, { type: 'string' }));
    for (const op of FILTER_OPS) {
      params.push(queryParam(`filter[${column}][${op}]`, FILTER_TEXT[op], { type: 'string' }));
    }
  }
  return params;
}

const FILTER_TEXT: Readonly<Record<(typeof FILTER_OPS)[number], string>> = {
  eq: 'Equal to the value',
  ne: 'Not equal to the value (NULL never matches)',
  gt: 'Greater than the value',
  gte: 'Greater than or equal to the value',
  lt: 'Less than the value',
  lte: 'Less than or equal to the value',
  in: 'One of the comma-separated values (at most 100)',
  like: 'abc* (prefix), *abc (suffix) or *abc* (contains)',
  null: 'true: the column is NULL; false: it is not',
};

// ---- paths -----------------------------------------------------------------------------------------------

const SECURED = [{ bearerAuth: [] }];
const ID_PARAM = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'integer', minimum: 1 },
};

function resourcePaths(name: string, resource: ResourceQueries, paths: Json): void {
  const row = ref(`${schemaName(name)}Row`);
  const collection: Json = {};
  const item: Json = {};
  const tag = [name];
  if (resource.list) {
    collection.get = {
      operationId: `list_${name}`,
      tags: tag,
      summary: `List ${name} (rows the caller's role may see)`,
      security: SECURED,
      parameters: listParameters(resource.list),
      responses: {
        ...okResponse('200', 'A page of rows', { type: 'array', items: row }, ref('ListMeta')),
        ...errorResponses(),
      },
    };
  }
  if (resource.create) {
    collection.post = {
      operationId: `create_${name}`,
      tags: tag,
      summary: `Create a ${name} row (owned by the caller)`,
      security: SECURED,
      requestBody: jsonBody(ref(`${schemaName(name)}Create`)),
      responses: {
        ...okResponse('201', 'Created', {
          type: 'object',
          properties: { insert_id: { type: 'integer' } },
        }),
        ...errorResponses(),
      },
    };
  }
  if (resource.show) {
    item.get = {
      operationId: `show_${name}`,
      tags: tag,
      summary: `One ${name} row`,
      security: SECURED,
      responses: { ...okResponse('200', 'The row', row), ...errorResponses() },
    };
  }
  if (resource.update) {
    item.put = {
      operationId: `update_${name}`,
      tags: tag,
      summary: `Update a ${name} row`,
      security: SECURED,
      requestBody: jsonBody(ref(`${schemaName(name)}Update`)),
      responses: { ...okResponse('200', 'Updated', affected()), ...errorResponses() },
    };
  }
  if (resource.delete) {
    item.delete = {
      operationId: `delete_${name}`,
      tags: tag,
      summary: `Delete a ${name} row`,
      security: SECURED,
      responses: { ...okResponse('200', 'Deleted', affected()), ...errorResponses() },
    };
  }
  if (Object.keys(collection).length > 0) paths[`/${name}`] = collection;
  if (Object.keys(item).length > 0) paths[`/${name}/{id}`] = { parameters: [ID_PARAM], ...item };
}

function affected(): Json {
  return { type: 'object', properties: { affected_rows: { type: 'integer' } } };
}

/** A components key for a resource name (components keys allow letters, digits, ".", "-", "_"). */
function schemaName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

const STRING = { type: 'string' };

function authPaths(app: AppConfig, paths: Json): void {
  const email = { type: 'string', format: 'email' };
  // A new password (register, reset, change): auth.password_min_length characters at least.
  const password = { type: 'string', minLength: app.auth.passwordMinLength };
  const registerFields: Json = { email, password };
  const registerRequired = ['email', 'password'];
  for (const field of app.authQueries?.register.fields ?? []) {
    if (field === 'name') {
      // Required when listed: a non-blank string.
      registerFields.name = { type: 'string', minLength: 1, pattern: '\\S' };
      registerRequired.push('name');
    }
    registerFields[field] ??= SCALAR;
  }
  const object = (properties: Json, required: string[]): Json => ({ type: 'object', properties, required });
  const user = { type: 'object', additionalProperties: true };
  const post = (
    id: string,
    summary: string,
    body: Json | undefined,
    status: string,
    data: Json,
    secured = false,
  ): Json => {
    const op: Json = { operationId: id, tags: ['auth'], summary };
    if (secured) op.security = SECURED;
    if (body) op.requestBody = jsonBody(body);
    op.responses = { ...okResponse(status, summary, data), ...errorResponses() };
    return { post: op };
  };
  const tokens = { type: 'object', additionalProperties: true, properties: { token: STRING } };
  paths['/auth/register'] = post(
    'auth_register',
    'Create an account',
    object(registerFields, registerRequired),
    '201',
    tokens,
  );
  paths['/auth/login'] = post(
    'auth_login',
    'Log in',
    object({ email, password: STRING }, ['email', 'password']),
    '200',
    tokens,
  );
  const logout = post(
    'auth_logout',
    'Log out (ends the session)',
    undefined,
    '200',
    { type: ['object', 'null'] },
    true,
  );
  // An optional body: none ends this session, {all: true} every session of the user.
  (logout.post as Json).requestBody = jsonBody(object({ all: { type: 'boolean' } }, []), false);
  paths['/auth/logout'] = logout;
  paths['/auth/me'] = {
    get: {
      operationId: 'auth_me',
      tags: ['auth'],
      summary: 'The caller',
      security: SECURED,
      responses: { ...okResponse('200', 'The caller', user), ...errorResponses() },
    },
  };
  const any = { type: ['object', 'null'], additionalProperties: true };
  // Only the routes the app enables: the others answer 404 (refresh without sessions, the reset and
  // verification routes without their auth.yaml section).
  if (app.auth.sessions)
    paths['/auth/refresh'] = post(
      'auth_refresh',
      'New tokens from a refresh token',
      object({ refresh_token: STRING }, ['refresh_token']),
      '200',
      tokens,
    );
  if (app.authQueries?.passwordReset)
    paths['/auth/password/forgot'] = post(
      'auth_password_forgot',
      'Mail a reset link',
      object({ email }, ['email']),
      '200',
      any,
    );
  if (app.authQueries?.passwordReset)
    paths['/auth/password/reset'] = post(
      'auth_password_reset',
      'Set a password from a reset token',
      object({ token: STRING, password }, ['token', 'password']),
      '200',
      any,
    );
  paths['/auth/password/change'] = post(
    'auth_password_change',
    'Change the password',
    object({ current_password: STRING, password }, ['current_password', 'password']),
    '200',
    any,
    true,
  );
  if (app.authQueries?.emailVerification)
    paths['/auth/email/verify'] = post(
      'auth_email_verify',
      'Verify an address with its token',
      object({ token: STRING }, ['token']),
      '200',
      any,
    );
  if (app.authQueries?.emailVerification)
    paths['/auth/email/resend'] = post(
      'auth_email_resend',
      'Mail the verification link again',
      object({ email }, ['email']),
      '200',
      any,
    );
}

/** The OpenAPI 3.1 document of an app. */
export function openApiDocument(app: AppConfig): Json {
  const paths: Json = {};
  authPaths(app, paths);
  const schemas: Json = {
    Error: {
      type: 'object',
      required: ['success', 'error'],
      properties: {
        success: { const: false },
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: STRING,
            message: STRING,
            // VALIDATION_ERROR of a write: the reason for each field refused.
            fields: { type: 'object', additionalProperties: STRING },
          },
          additionalProperties: true,
        },
        data: {},
      },
    },
    ListMeta: {
      type: 'object',
      required: ['limit'],
      properties: {
        limit: { type: 'integer' },
        offset: { type: 'integer' },
        next: {
          type: ['string', 'null'],
          description: 'Cursor of the next page (pass as ?after=); null at the end',
        },
        total: { type: 'integer', description: 'With ?count=true: the number of matching rows' },
      },
    },
  };
  for (const [name, resource] of Object.entries(app.resources).sort(([a], [b]) => a.localeCompare(b))) {
    const base = schemaName(name);
    schemas[`${base}Row`] = rowSchema(app, resource);
    const create = writeSchema(resource, 'create');
    if (create) schemas[`${base}Create`] = create;
    const update = writeSchema(resource, 'update');
    if (update) schemas[`${base}Update`] = update;
    resourcePaths(name, resource, paths);
  }
  const responses: Json = {};
  for (const [status, description] of Object.entries(ERRORS)) {
    responses[`E${status}`] = { description, content: { 'application/json': { schema: ref('Error') } } };
  }
  return {
    openapi: '3.1.0',
    info: { title: `${app.app} API`, version: app.version || '0' },
    servers: [{ url: app.basePath }],
    paths,
    components: {
      schemas,
      responses,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
