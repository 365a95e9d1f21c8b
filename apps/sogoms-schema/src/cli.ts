// `sogoms-schema migrate -config DIR [-app NAME] [--dry-run] [--allow-destructive]`: validates the config like
// `sogoctl check`, then migrates each app's database to its schema/{app}.yaml and says what ran. Exit codes:
// 0 done (or nothing to do), 1 a database error or a refused change, 2 a usage or configuration error.
import { ConfigError, formatProblem, loadPlatformConfig, type PlatformConfig } from '@sogoms/config';
import { EXIT_CONFIG, parseFlags, UsageError, usage } from '@sogoms/runtime';
import { migrateApps, schemaApps, UnknownAppError } from './apps.js';

const FLAGS = [
  { name: 'config', description: 'configuration directory', default: '/config' },
  { name: 'app', description: 'migrate only this application (default: every app with a schema)' },
  { name: 'dry-run', description: 'print the SQL, change nothing', boolean: true },
  { name: 'allow-destructive', description: 'also drop columns and tables, and narrow types', boolean: true },
];

export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Runs `migrate` with its arguments (after the word migrate); resolves with the exit code. */
export async function runMigrateCommand(argv: readonly string[], io: Io): Promise<number> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv, FLAGS);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`sogoms-schema migrate: ${err.message}\n${usage('sogoms-schema migrate', FLAGS)}\n`);
    return EXIT_CONFIG;
  }
  let config: PlatformConfig;
  try {
    config = loadPlatformConfig(String(flags.config), { parts: ['schema'] });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(
      `sogoms-schema: invalid configuration\n${err.problems.map((p) => `  ${formatProblem(p)}\n`).join('')}`,
    );
    return EXIT_CONFIG;
  }
  let apps: string[];
  try {
    apps = schemaApps(config, typeof flags.app === 'string' ? flags.app : undefined);
  } catch (err) {
    if (!(err instanceof UnknownAppError)) throw err;
    io.stderr.write(`sogoms-schema: ${err.message}\n`);
    return EXIT_CONFIG;
  }
  if (apps.length === 0) {
    io.stdout.write('no application has a schema/{app}.yaml: nothing to migrate\n');
    return 0;
  }
  const dryRun = flags['dry-run'] === true;
  let code = 0;
  for (const app of apps) {
    try {
      const [result] = await migrateApps(config, [app], {
        dryRun,
        allowDestructive: flags['allow-destructive'] === true,
      });
      const r = result!;
      if (r.refused.length > 0) {
        code = 1;
        io.stderr.write(`${app}: refused, nothing changed:\n${r.refused.map((x) => `  ${x}\n`).join('')}`);
      }
      if (dryRun || r.refused.length > 0) {
        io.stdout.write(
          `-- ${app}: ${r.statements.length} statement(s)${dryRun ? ' (dry run)' : ' planned'}\n`,
        );
        for (const sql of r.statements) io.stdout.write(`${sql};\n`);
      } else if (r.statements.length === 0) io.stdout.write(`${app}: up to date\n`);
      else io.stdout.write(`${app}: ${r.statements.length} statement(s) applied\n`);
    } catch (err) {
      code = 1;
      // A driver's message names the statement's problem, never a bound value (migrations bind only the app).
      io.stderr.write(`${app}: migration failed: ${(err as Error).message.slice(0, 500)}\n`);
    }
  }
  return code;
}
