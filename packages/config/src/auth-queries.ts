import { readTemplate } from './emails.js';
import type { FileReport } from './errors.js';
import type { Env } from './expand.js';
import { Section } from './schema.js';
import {
  readIdentifier,
  readIdentifierList,
  readSql,
  safePlaceholderNames,
  TOKEN_PLACEHOLDERS,
} from './sql-check.js';
import { loadTree } from './tree.js';
import type { AuthQueries, EmailTemplate, ResourceQueries } from './types.js';

// Columns a registration body must never set: the id is the database's, the role is an admin's decision.
const FORBIDDEN_REGISTER_FIELDS = ['id', 'role'];

/**
 * Reads queries/{app}/auth.yaml; cross-checks login.include against the app's resources and the email
 * templates it names against the app's emails.
 */
export function readAuthQueriesFile(
  report: FileReport,
  env: Env,
  resources: Readonly<Record<string, ResourceQueries>>,
  emails: Readonly<Record<string, EmailTemplate>>,
): AuthQueries | undefined {
  const tree = loadTree(report, env);
  if (!tree) return undefined;
  const s = new Section(report, '', tree.value ?? {}, ['login', 'register', 'me', 'password_reset']);
  const requireSection = (key: string, keys: string[]): Section => {
    if (!s.has(key)) report.add(key, 'is required');
    return s.section(key, keys);
  };

  const login = requireSection('login', ['query', 'include']);
  const loginQuery = readSql(login, 'query', ['email']);
  if (loginQuery !== undefined && !safePlaceholderNames(loginQuery).includes('email')) {
    report.add(login.at('query'), 'must select the user by :email');
  }
  const include: string[] = [];
  for (const { value, path } of login.stringList('include')) {
    if (!resources[value])
      report.add(path, `no resource ${report.quote(path, value)} (no queries file of that name)`);
    else if (!resources[value].list)
      report.add(path, `resource ${report.quote(path, value)} has no list section`);
    else if (!include.includes(value)) include.push(value);
  }

  const register = requireSection('register', ['table', 'fields', 'welcome_email']);
  const fields = readIdentifierList(register, 'fields', { required: s.has('register') });
  for (const needed of ['email', 'password']) {
    if (s.has('register') && register.has('fields') && !fields.includes(needed)) {
      report.add(register.at('fields'), `must include ${needed}`);
    }
  }
  fields.forEach((field, i) => {
    if (FORBIDDEN_REGISTER_FIELDS.includes(field)) {
      report.add(`${register.at('fields')}[${i}]`, `"${field}" cannot be taken from a registration body`);
    }
  });
  const auth: AuthQueries = {
    login: { query: loginQuery ?? '', include },
    register: { table: readIdentifier(register, 'table', { required: s.has('register') }) ?? '', fields },
    me: { query: readSql(requireSection('me', ['query']), 'query', TOKEN_PLACEHOLDERS) ?? '' },
  };
  const welcome = templateName(register, 'welcome_email', emails, false);
  if (welcome !== undefined) auth.register.welcomeEmail = welcome;

  const reset = s.section('password_reset', ['template', 'url', 'update']);
  if (reset.present) {
    const update = reset.section('update', ['table']);
    if (!reset.has('update')) report.add(reset.at('update'), 'is required');
    auth.passwordReset = {
      template: templateName(reset, 'template', emails, true) ?? '',
      url: readTemplate(reset, 'url', true) ?? '',
      update: { table: readIdentifier(update, 'table', { required: reset.has('update') }) ?? '' },
    };
  }
  return auth;
}

function templateName(
  s: Section,
  key: string,
  emails: Readonly<Record<string, EmailTemplate>>,
  required: boolean,
): string | undefined {
  const name = s.string(key, { required });
  if (name === undefined) return undefined;
  if (!emails[name]) {
    s.report.add(
      s.at(key),
      `no email template ${s.report.quote(s.at(key), name)} (no emails file of that name)`,
    );
  }
  return name;
}
