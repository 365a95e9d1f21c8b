// `sogoctl cron list` and `sogoctl cron run APP JOB`: ask sogoms-cron over its socket (the health_socket of
// the sogoms-cron entry of sogoctl.yaml, instance 1).
import { ConfigError, loadSogoctlConfig, MAX_CRON_TIMEOUT_MS } from '@sogoms/config';
import { callOnce } from '@sogoms/protocol';
import { EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, errorText, type Io, reportCallError } from './exit-codes.js';

export const CRON_SERVICE = 'sogoms-cron';
export const DEFAULT_CRON_SOCKET = '/run/sogoms-cron.1.sock';
const LIST_TIMEOUT_MS = 5_000;
/** A run answers when it ends: its job's timeout (at most 1h) bounds it, plus room for the claim and the log. */
const RUN_TIMEOUT_MS = MAX_CRON_TIMEOUT_MS + 30_000;

interface JobRow {
  app: string;
  job: string;
  kind: string;
  schedule: string;
  timezone: string;
  next_run: string | null;
  running: boolean;
  last_run: { scheduled_at: string; outcome: string; duration_ms: number; host: string } | null;
}

interface RunAnswer {
  app: string;
  job: string;
  outcome: string;
  duration_ms: number;
  rows?: number;
  mails?: { sent: number; failed: number };
  status?: number;
  error?: string;
}

/** The sogoms-cron socket named by sogoctl.yaml, or the production default without -config. */
function socketOf(configDir: string | undefined, io: Io): string | undefined {
  if (configDir === undefined) return DEFAULT_CRON_SOCKET;
  try {
    const service = loadSogoctlConfig(configDir).services.find((s) => s.name === CRON_SERVICE);
    if (!service?.healthSocket) {
      io.stderr.write(
        `sogoctl: no ${CRON_SERVICE} service with a health_socket in ${configDir}/sogoctl.yaml\n`,
      );
      return undefined;
    }
    return service.healthSocket.replaceAll('{n}', '1');
  } catch (err) {
    io.stderr.write(`sogoctl: ${errorText(err)}\n`);
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

/** The jobs as a table: APP JOB KIND SCHEDULE TIMEZONE NEXT RUN LAST RUN. */
export function formatCronTable(rows: readonly JobRow[]): string {
  const header = ['APP', 'JOB', 'KIND', 'SCHEDULE', 'TIMEZONE', 'NEXT RUN (UTC)', 'LAST RUN'];
  const lines = rows.map((r) => [
    r.app,
    r.job,
    r.kind,
    r.schedule,
    r.timezone,
    r.next_run ? r.next_run.slice(0, 19).replace('T', ' ') : '-',
    r.running
      ? 'running'
      : r.last_run
        ? `${r.last_run.outcome} ${r.last_run.scheduled_at.slice(0, 19).replace('T', ' ')} (${r.last_run.duration_ms} ms)`
        : '-',
  ]);
  if (lines.length === 0) return 'no cron jobs (cron/{app}.yaml)';
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines]
    .map((l) =>
      l
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Prints every job with its next run time. */
export async function cronListCommand(configDir: string | undefined, io: Io): Promise<number> {
  const socket = socketOf(configDir, io);
  if (!socket) return EXIT_CONFIG;
  try {
    const rows = (await callOnce(socket, 'list', {}, LIST_TIMEOUT_MS)) as JobRow[];
    io.stdout.write(`${formatCronTable(rows)}\n`);
    return EXIT_OK;
  } catch (err) {
    return reportCallError(err, socket, io, `${CRON_SERVICE} does not answer`);
  }
}

/** Runs one job now and prints how it ended; exit 0 only when it succeeded. */
export async function cronRunCommand(
  app: string,
  job: string,
  configDir: string | undefined,
  io: Io,
): Promise<number> {
  const socket = socketOf(configDir, io);
  if (!socket) return EXIT_CONFIG;
  let answer: RunAnswer;
  try {
    answer = (await callOnce(socket, 'run', { app, job }, RUN_TIMEOUT_MS)) as RunAnswer;
  } catch (err) {
    return reportCallError(err, socket, io, `${CRON_SERVICE} does not answer`);
  }
  const parts = [`${answer.app}/${answer.job}: ${answer.outcome} in ${answer.duration_ms} ms`];
  if (answer.rows !== undefined) parts.push(`rows ${answer.rows}`);
  if (answer.mails) parts.push(`mails sent ${answer.mails.sent}, failed ${answer.mails.failed}`);
  if (answer.status !== undefined) parts.push(`HTTP ${answer.status}`);
  if (answer.error) parts.push(answer.error);
  io.stdout.write(`${parts.join(', ')}\n`);
  return answer.outcome === 'ok' ? EXIT_OK : EXIT_FAILURE;
}
