// Migrates the apps of a loaded configuration that have a schema/{app}.yaml: one direct connection per app,
// closed after its migration. Shared by the CLI (`sogoms-schema migrate`) and the supervised service's action.
import type { PlatformConfig } from '@sogoms/config';
import { openDatabase } from './database.js';
import { type MigrateOptions, type MigrationResult, migrate } from './migrate.js';

export class UnknownAppError extends Error {}

/** The apps to migrate: `only`, or every app with a schema. */
export function schemaApps(config: PlatformConfig, only?: string): string[] {
  if (only !== undefined) {
    if (!Object.hasOwn(config.apps, only))
      throw new UnknownAppError(`no application "${only}" (routes/${only}.yaml)`);
    if (!config.apps[only]!.schema)
      throw new UnknownAppError(`application "${only}" has no schema/${only}.yaml`);
    return [only];
  }
  return Object.keys(config.apps).filter((app) => config.apps[app]!.schema);
}

/** Runs the migration of each app in turn; an app whose database fails stops there (its error is thrown). */
export async function migrateApps(
  config: PlatformConfig,
  apps: readonly string[],
  opts: MigrateOptions,
): Promise<MigrationResult[]> {
  const results: MigrationResult[] = [];
  for (const app of apps) {
    const appConfig = config.apps[app]!;
    const db = await openDatabase(appConfig.database);
    try {
      results.push(await migrate(db, app, appConfig.schema!, opts));
    } finally {
      await db.close();
    }
  }
  return results;
}
