import { basename, join, resolve } from 'node:path';
import { readAuthQueriesFile } from './auth-queries.js';
import { isDirectory, yamlFiles } from './dir-list.js';
import { readEmailFile } from './emails.js';
import { ConfigError, FileReport } from './errors.js';
import type { Env } from './expand.js';
import { deepFreeze } from './freeze.js';
import { checkReferences, RESOURCE_NAME, readResourceFile } from './queries.js';
import { type AppSettings, readAppFile } from './routes.js';
import { envOf, type LoadOptions } from './tree.js';
import type { AppConfig, ConfigProblem, EmailTemplate, PlatformConfig, ResourceQueries } from './types.js';

/** Loads routes/*.yaml with each app's queries and emails; throws ConfigError listing every problem. Frozen. */
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
  const hostOwners = new Map<string, string>();
  for (const file of yamlFiles(routesDir)) {
    const report = new FileReport(file, problems);
    const appFile = readAppFile(report, root, env);
    if (!appFile) continue;
    const { settings, hostPaths } = appFile;
    settings.hosts.forEach((host, i) => {
      const owner = hostOwners.get(host);
      const path = hostPaths[i]!;
      if (owner) report.add(path, `host ${report.quote(path, host)} is already used by app "${owner}"`);
      else hostOwners.set(host, settings.app);
    });
    apps[settings.app] = readAppTree(settings, root, env, report);
  }
  return { root, apps };
}

function readAppTree(settings: AppSettings, root: string, env: Env, report: FileReport): AppConfig {
  const emails: Record<string, EmailTemplate> = {};
  for (const file of yamlFiles(join(root, 'emails', settings.app))) {
    const template = readEmailFile(report.forFile(file), env);
    if (template) emails[template.name] = template;
  }
  const resources: Record<string, ResourceQueries> = {};
  const reports = new Map<string, FileReport>();
  const unreadable = new Set<string>();
  const queriesDir = join(root, 'queries', settings.app);
  const files = yamlFiles(queriesDir);
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
  for (const [name, fileReport] of reports)
    checkReferences(resources[name]!, fileReport, resources, unreadable);
  const app: AppConfig = { ...settings, resources, emails };
  const authFile = join(queriesDir, 'auth.yaml');
  if (files.includes(authFile)) {
    const authQueries = readAuthQueriesFile(report.forFile(authFile), env, resources, emails);
    if (authQueries) app.authQueries = authQueries;
  }
  return app;
}
