import { basename, join, resolve } from 'node:path';
import { type CachedApp, cachedRead } from './app-cache.js';
import { readAuthQueriesFile } from './auth-queries.js';
import { checkCronApps, readCronFile } from './cron.js';
import { ignoredFiles, isDirectory, yamlFiles } from './dir-list.js';
import { readEmailFile } from './emails.js';
import { ConfigError, FileReport } from './errors.js';
import type { Env } from './expand.js';
import { fileSource } from './file-source.js';
import { deepFreeze } from './freeze.js';
import { checkPushRows } from './push.js';
import { checkReferences, RESOURCE_NAME, readResourceFile } from './queries.js';
import { type AppFile, type AppSettings, readAppFile } from './routes.js';
import { schemaAuthQueries, schemaResources } from './schema/generate.js';
import { readSchemaFile } from './schema/read.js';
import { type ConfigPart, envOf, type LoadOptions, partsOf } from './tree.js';
import type { AppConfig, ConfigProblem, EmailTemplate, PlatformConfig, ResourceQueries } from './types.js';

/**
 * Loads routes/*.yaml with each app's queries, emails and cron jobs (only the folders `opts.parts` names, when
 * given); throws ConfigError listing every problem. Frozen.
 */
export function loadPlatformConfig(dir: string, opts?: LoadOptions): PlatformConfig {
  const problems: ConfigProblem[] = [];
  const config = readPlatformConfig(dir, problems, opts);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** The platform part of loading: problems are appended; the config holds whatever could be read. */
export function readPlatformConfig(
  dir: string,
  problems: ConfigProblem[],
  opts?: LoadOptions,
): PlatformConfig {
  const root = resolve(dir);
  const env = envOf(opts);
  const routesDir = join(root, 'routes');
  const apps: Record<string, AppConfig> = {};
  if (!isDirectory(routesDir)) {
    problems.push({
      file: routesDir,
      path: '',
      message: 'missing directory (one routes/{app}.yaml per application)',
    });
    return { root, apps };
  }
  const parts = partsOf(opts);
  const cache = opts?.cache;
  if (cache && (cache.env !== env || cache.key !== [...parts].join())) {
    cache.entries.clear();
    cache.env = env;
    cache.key = [...parts].join();
  }
  const seen = new Map<string, CachedApp<unknown>>();
  const hostOwners = new Map<string, string>();
  for (const file of yamlFiles(routesDir)) {
    const report = new FileReport(file, problems);
    const before = problems.length;
    // An app whose files did not change since the last load is not read again (the same frozen objects).
    const { value: read } = cachedRead<{ appFile: AppFile; app: AppConfig } | undefined>(
      cache,
      file,
      seen,
      () => {
        const appFile = readAppFile(report, root, env);
        if (!appFile) return undefined;
        return { appFile, app: readAppTree(appFile.settings, root, env, report, parts) };
      },
      () => problems.length === before,
    );
    if (!read) continue;
    const { settings, hostPaths } = read.appFile;
    settings.hosts.forEach((host, i) => {
      const owner = hostOwners.get(host);
      const path = hostPaths[i]!;
      if (owner) report.add(path, `host ${report.quote(path, host)} is already used by app "${owner}"`);
      else hostOwners.set(host, settings.app);
    });
    apps[settings.app] = read.app;
  }
  if (cache) cache.entries = seen;
  if (parts.has('cron')) checkCronApps(root, apps, problems);
  if (parts.has('schema')) {
    for (const file of yamlFiles(join(root, 'schema'))) {
      const app = basename(file, '.yaml');
      if (!apps[app])
        problems.push({ file, path: '', message: `no application "${app}" (routes/${app}.yaml)` });
    }
  }
  return { root, apps };
}

function readAppTree(
  settings: AppSettings,
  root: string,
  env: Env,
  report: FileReport,
  parts: ReadonlySet<ConfigPart>,
): AppConfig {
  const emails: Record<string, EmailTemplate> = {};
  const schemaFile = join(root, 'schema', `${settings.app}.yaml`);
  const schemaReport = report.forFile(schemaFile);
  const schema =
    parts.has('schema') && yamlFiles(join(root, 'schema')).includes(schemaFile)
      ? readSchemaFile(schemaReport, env)
      : undefined;
  if (!parts.has('emails')) return { ...settings, resources: {}, emails, ...(schema ? { schema } : {}) };
  // Files that exist but failed to load: their own problems are reported; naming them elsewhere is not another.
  const unreadableEmails = new Set<string>();
  for (const file of yamlFiles(join(root, 'emails', settings.app))) {
    const template = readEmailFile(report.forFile(file), env);
    if (template) emails[template.name] = template;
    else unreadableEmails.add(basename(file, '.yaml'));
  }
  const resources: Record<string, ResourceQueries> = {};
  const reports = new Map<string, FileReport>();
  const unreadable = new Set<string>();
  const queriesDir = join(root, 'queries', settings.app);
  const files = parts.has('queries') ? yamlFiles(queriesDir) : [];
  for (const file of files) {
    const name = basename(file, '.yaml');
    if (name === 'auth') continue;
    const fileReport = report.forFile(file);
    if (!RESOURCE_NAME.test(name)) {
      fileReport.add(
        '',
        'resource file names use letters, digits, "_" and "-" only (the name is the URL path)',
      );
      continue;
    }
    const resource = readResourceFile(fileReport, env);
    if (resource) {
      resources[name] = resource;
      reports.set(name, fileReport);
    } else unreadable.add(name);
  }
  // Generated resources fill in what no queries file defines: a hand-written file overrides one resource.
  if (schema && parts.has('queries')) {
    for (const [name, generated] of Object.entries(schemaResources(schema, schemaReport))) {
      if (Object.hasOwn(resources, name) || unreadable.has(name)) continue;
      resources[name] = generated;
      reports.set(name, schemaReport);
    }
  }
  for (const [name, fileReport] of reports)
    checkReferences(resources[name]!, fileReport, resources, unreadable);
  if (parts.has('queries')) checkPushRows(settings.push, resources, report);
  const app: AppConfig = { ...settings, resources, emails };
  if (schema) app.schema = schema;
  const cronFile = join(root, 'cron', `${settings.app}.yaml`);
  if (parts.has('cron') && yamlFiles(join(root, 'cron')).includes(cronFile)) {
    const cron = readCronFile(report.forFile(cronFile), env, root, emails);
    if (cron) app.cron = cron;
  }
  const authFile = join(queriesDir, 'auth.yaml');
  if (files.includes(authFile)) {
    const authQueries = readAuthQueriesFile(report.forFile(authFile), env, resources, emails, settings.auth, {
      resources: unreadable,
      emails: unreadableEmails,
    });
    if (authQueries) app.authQueries = authQueries;
  } else if (schema && parts.has('queries')) {
    const authQueries = schemaAuthQueries(schema);
    if (authQueries) app.authQueries = authQueries;
  }
  return app;
}

/**
 * Files of the tree the loader skips although they look meant to be read (`queries/prokov/notes.yml`, a query
 * file directly in queries/): reported as warnings by `sogoctl check` and in the services' logs, never silently.
 */
export function ignoredConfigFiles(dir: string, opts?: Pick<LoadOptions, 'parts'>): ConfigProblem[] {
  const root = resolve(dir);
  const parts = partsOf(opts);
  const warnings: ConfigProblem[] = [];
  const add = (file: string, message: string) => warnings.push({ file, path: '', message });
  const why = (file: string) =>
    file.endsWith('.yml')
      ? 'ignored: only *.yaml files are read (rename it to .yaml)'
      : 'ignored: only *.yaml files are read';
  for (const file of ignoredFiles(join(root, 'routes'))) add(file, why(file));
  if (parts.has('cron')) for (const file of ignoredFiles(join(root, 'cron'))) add(file, why(file));
  if (parts.has('schema')) for (const file of ignoredFiles(join(root, 'schema'))) add(file, why(file));
  for (const folder of ['queries', 'emails'] as const) {
    if (!parts.has(folder)) continue;
    const top = join(root, folder);
    if (!isDirectory(top)) continue;
    for (const name of fileSource().list(top).sort()) {
      if (name.startsWith('.') || name.endsWith('~')) continue;
      const path = join(top, name);
      if (!isDirectory(path)) add(path, `ignored: files go in ${folder}/{app}/ (one folder per application)`);
      else for (const file of ignoredFiles(path)) add(file, why(file));
    }
  }
  return warnings;
}
