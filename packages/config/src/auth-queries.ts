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
import type { AuthQueries, AuthSettings, EmailTemplate, ResourceQueries } from './types.js';

// Columns a registration body must never set: the id is the database's, the role is an admin's decision.
const FORBIDDEN_REGISTER_FIELDS = ['id', 'role'];

/**
 * Reads queries/{app}/auth.yaml; cross-checks login.include against the app's resources (`unreadable`: resource
 * files that exist but failed to load, not reported again) and the email templates it names against the
 * app's emails.
 */
export function readAuthQueriesFile(
  report: FileReport,
  env: Env,
  resources: Readonly<Record<string, ResourceQueries>>,
  emails: Readonly<Record<string, EmailTemplate>>,
  settings?: AuthSettings,
  unreadableFiles: Unreadable = {},
): AuthQueries | undefined {
  const unreadable = unreadableFiles.resources ?? new Set<string>();
  const templateName = (s: Section, key: string, required: boolean) =>
    checkedTemplate(s, key, emails, unreadableFiles.emails, required);
  const tree = loadTree(report, env);
  if (!tree) return undefined;
  const s = new Section(report, '', tree.value ?? {}, [
    'login',
    'register',
    'me',
    'password_reset',
    'email_verification',
  ]);
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
    // A resource file that failed to load has its own problems reported already: naming it is not another one.
    if (unreadable.has(value)) continue;
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
  const welcome = templateName(register, 'welcome_email', false);
  if (welcome !== undefined) auth.register.welcomeEmail = welcome;

  const reset = s.section('password_reset', ['template', 'url', 'update']);
  if (reset.present) {
    const update = reset.section('update', ['table']);
    if (!reset.has('update')) report.add(reset.at('update'), 'is required');
    auth.passwordReset = {
      template: templateName(reset, 'template', true) ?? '',
      url: readTemplate(reset, 'url', true) ?? '',
      update: { table: readIdentifier(update, 'table', { required: reset.has('update') }) ?? '' },
    };
  }
  const verification = s.section('email_verification', ['template', 'url']);
  if (verification.present) {
    auth.emailVerification = {
      template: templateName(verification, 'template', true) ?? '',
      url: readTemplate(verification, 'url', true) ?? '',
    };
  } else if (settings?.requireVerifiedEmail) {
    report.add('email_verification', 'is required: the app sets auth.require_verified_email: true');
  }
  return auth;
}

/** Names of files that exist but failed to load (their problems are reported against them, once). */
export interface Unreadable {
  resources?: ReadonlySet<string>;
  emails?: ReadonlySet<string>;
}

function checkedTemplate(
  s: Section,
  key: string,
  emails: Readonly<Record<string, EmailTemplate>>,
  unreadable: ReadonlySet<string> | undefined,
  required: boolean,
): string | undefined {
  const name = s.string(key, { required });
  if (name === undefined) return undefined;
  if (!emails[name] && !unreadable?.has(name)) {
    s.report.add(
      s.at(key),
      `no email template ${s.report.quote(s.at(key), name)} (no emails file of that name)`,
    );
  }
  return name;
}
