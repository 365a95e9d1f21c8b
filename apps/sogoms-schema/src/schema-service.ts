// The supervised sogoms-schema: `health`, and `migrate` ({app_id?, dry_run?, allow_destructive?}) run against
// the current configuration — what `sogoms-schema migrate` does, for a supervisor or a deploy hook that talks
// to the socket. Migrations of one process never overlap.
import type { PlatformConfig } from '@sogoms/config';
import { type ActionHandler, ErrorCode, SogomsError } from '@sogoms/protocol';
import type { Logger, ServiceInstance } from '@sogoms/runtime';
import { migrateApps, schemaApps, UnknownAppError } from './apps.js';

export interface SchemaServiceOptions {
  config: PlatformConfig;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export function createSchemaService(opts: SchemaServiceOptions): ServiceInstance {
  let config = opts.config;
  let running: Promise<unknown> = Promise.resolve();
  let lastRun: { at: string; apps: string[]; ok: boolean } | undefined;

  const migrateAction: ActionHandler = async (params) => {
    const p = (params ?? {}) as Record<string, unknown>;
    if (p.app_id !== undefined && typeof p.app_id !== 'string')
      throw new SogomsError(ErrorCode.VALIDATION_ERROR, 'app_id must be a string');
    let apps: string[];
    try {
      apps = schemaApps(config, p.app_id as string | undefined);
    } catch (err) {
      if (err instanceof UnknownAppError) throw new SogomsError(ErrorCode.NOT_FOUND, err.message);
      throw err;
    }
    const run = running.then(() =>
      migrateApps(config, apps, {
        dryRun: p.dry_run === true,
        allowDestructive: p.allow_destructive === true,
      }),
    );
    running = run.catch(() => undefined);
    try {
      const results = await run;
      lastRun = { at: new Date().toISOString(), apps, ok: results.every((r) => r.refused.length === 0) };
      for (const r of results)
        opts.logger.info(
          { app: r.app, statements: r.statements.length, refused: r.refused.length, applied: r.applied },
          'schema migration',
        );
      return { results };
    } catch (err) {
      lastRun = { at: new Date().toISOString(), apps, ok: false };
      opts.logger.error({ apps, err: (err as Error).message.slice(0, 300) }, 'schema migration failed');
      throw new SogomsError(ErrorCode.DB_ERROR, 'migration failed');
    }
  };

  return {
    actions: { migrate: migrateAction },
    health: () => ({
      schemas: Object.values(config.apps).filter((a) => a.schema).length,
      last_migration: lastRun ?? null,
    }),
    reload(next) {
      config = next;
    },
    async close() {
      await running;
    },
  };
}
