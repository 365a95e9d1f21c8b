// `sogoctl check -config DIR`: validates the whole configuration tree without starting anything.
import { join } from 'node:path';
import {
  type ConfigProblem,
  checkConfigTree,
  checkConfigWarnings,
  formatProblem,
  loadPlatformConfig,
} from '@sogoms/config';
import { appStatements } from '@sogoms/db-prepare';
import { EXIT_FAILURE, EXIT_OK, type Io } from './exit-codes.js';

/**
 * Prints every problem as "file: key.path: reason" (exit 1), or "config OK" (exit 0); files the loader skips
 * (`notes.yml`) come first as "warning: file: ignored …" lines, which do not fail the check. A valid tree's
 * queries are then prepared on each app's database (never run): a refused one is a problem naming its file,
 * section and the database's message; an unreachable database is a "note:" line, not a failure.
 */
export async function checkCommand(configDir: string, io: Io): Promise<number> {
  for (const w of checkConfigWarnings(configDir)) io.stdout.write(`warning: ${formatProblem(w)}\n`);
  const problems = checkConfigTree(configDir);
  if (problems.length === 0) problems.push(...(await prepareQueries(configDir, io)));
  if (problems.length === 0) {
    io.stdout.write('config OK\n');
    return EXIT_OK;
  }
  for (const p of problems) io.stdout.write(`${formatProblem(p)}\n`);
  io.stderr.write(`sogoctl: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${configDir}\n`);
  return EXIT_FAILURE;
}

/** Prepares every app's compiled queries on its database; notes the apps whose database cannot be reached. */
async function prepareQueries(configDir: string, io: Io): Promise<ConfigProblem[]> {
  const config = loadPlatformConfig(configDir);
  // Loaded here, not at the top: the supervisor's own start would otherwise load mysql2 for a command it is not.
  const { prepareDirect } = await import('@sogoms/db-prepare/direct');
  const problems: ConfigProblem[] = [];
  for (const app of Object.values(config.apps)) {
    const result = await prepareDirect(app.database, appStatements(app));
    if (!result.reachable) {
      io.stdout.write(
        `note: app ${app.app}: queries not prepared, database not reachable: ${result.reason}\n`,
      );
      continue;
    }
    for (const p of result.problems) {
      problems.push({ file: join(config.root, p.file), path: p.section, message: `database: ${p.message}` });
    }
  }
  return problems;
}
