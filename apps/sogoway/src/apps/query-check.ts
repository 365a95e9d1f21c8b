// The apps' compiled queries prepared on their databases through sogoms-db (its `prepare` action compiles a
// statement without running it). Before a reload, only the statements whose text changed are checked, and an
// app with a refused one keeps its previous configuration; at start, every statement is checked and failures
// are logged loudly (the database may not be up yet: then only a warning).
import { join } from 'node:path';
import type { AppConfig, ConfigProblem, PlatformConfig } from '@sogoms/config';
import { appStatements, changedStatements, type PrepareStatement } from '@sogoms/db-prepare';
import type { ServiceClient } from '@sogoms/protocol';

/** An app's queries can be many statements (role filters × sorts): a generous bound for one prepare call. */
export const PREPARE_CALL_TIMEOUT_MS = 10_000;
/**
 * Apps checked at the same time. Each check holds one of sogoms-db's connections while it runs: with a hundred
 * apps checked at once, the start-up check alone took every connection of the shared cap (and calls the gateway
 * had given up on kept them busy), so real requests got 503.
 */
export const PREPARE_CONCURRENCY = 2;

export interface QueryCheck {
  /** Apps with a statement the database refused: one problem per statement (file, section, message). */
  refused: Map<string, ConfigProblem[]>;
  /** Apps whose statements could not be checked (sogoms-db or the database unreachable), with why. */
  unchecked: Map<string, string>;
}

type PrepareAnswer = { problems: { index: number; message: string }[] };

/**
 * Prepares the statements of each app of `next` that are new or differ from `previous` (every statement when
 * there is no previous config, or when the app's database settings changed).
 */
export async function checkQueries(
  db: Pick<ServiceClient, 'call'>,
  next: PlatformConfig,
  previous?: PlatformConfig,
): Promise<QueryCheck> {
  const result: QueryCheck = { refused: new Map(), unchecked: new Map() };
  await eachBounded(Object.values(next.apps), PREPARE_CONCURRENCY, async (app) => {
    const before = previous?.apps[app.app];
    if (before === app) return;
    const statements = statementsToCheck(app, before);
    if (statements.length === 0) return;
    let answer: PrepareAnswer;
    try {
      answer = await db.call<PrepareAnswer>(
        'prepare',
        { app_id: app.app, statements: statements.map((st) => ({ query: st.sql })) },
        { timeoutMs: PREPARE_CALL_TIMEOUT_MS },
      );
    } catch (err) {
      result.unchecked.set(app.app, String((err as Error).message ?? err).slice(0, 200));
      return;
    }
    const problems = answer.problems.flatMap((p): ConfigProblem[] => {
      const st = statements[p.index];
      return st
        ? [{ file: join(next.root, st.file), path: st.section, message: `database: ${p.message}` }]
        : [];
    });
    if (problems.length > 0) result.refused.set(app.app, problems);
  });
  return result;
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function statementsToCheck(app: AppConfig, before: AppConfig | undefined): PrepareStatement[] {
  const statements = appStatements(app);
  if (!before || !sameDatabase(app, before)) return statements;
  return changedStatements(statements, appStatements(before));
}

function sameDatabase(a: AppConfig, b: AppConfig): boolean {
  return JSON.stringify(a.database) === JSON.stringify(b.database);
}

/** `next`, except that each refused app keeps its `previous` configuration (a refused new app is left out). */
export function keepRefused(
  next: PlatformConfig,
  previous: PlatformConfig,
  refused: ReadonlyMap<string, unknown>,
): PlatformConfig {
  if (refused.size === 0) return next;
  const apps: Record<string, AppConfig> = { ...next.apps };
  for (const app of refused.keys()) {
    const kept = previous.apps[app];
    if (kept) apps[app] = kept;
    else delete apps[app];
  }
  return Object.freeze({ ...next, apps: Object.freeze(apps) });
}

/** Every refused statement of every app, for one log line. */
export function refusedProblems(check: QueryCheck): ConfigProblem[] {
  return [...check.refused.values()].flat();
}

/** True when both configs hold the very same AppConfig objects (nothing would change by swapping). */
export function sameApps(a: PlatformConfig, b: PlatformConfig): boolean {
  const names = Object.keys(b.apps);
  return names.length === Object.keys(a.apps).length && names.every((n) => a.apps[n] === b.apps[n]);
}
