import { join, resolve } from 'node:path';
import { checkDependencies } from './deps.js';
import { ConfigError, child, FileReport } from './errors.js';
import { deepFreeze } from './freeze.js';
import { resolveAgainst } from './paths.js';
import { Section } from './schema.js';
import { envOf, type LoadOptions, loadTree } from './tree.js';
import type { ConfigProblem, ServiceSpec, SogoctlConfig, SupervisorSettings } from './types.js';

export const DEFAULT_HEALTH_INTERVAL_MS = 10_000;
export const DEFAULT_RESTART_DELAY_MS = 2_000;
export const DEFAULT_MAX_RESTARTS = 5;
export const DEFAULT_RESTART_WINDOW_MS = 60_000;
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
export const DEFAULT_START_TIMEOUT_MS = 30_000;
export const DEFAULT_SUPERVISOR_LOG_FILE = '/var/log/sogoms/sogoctl.log';
export const DEFAULT_CONTROL_SOCKET = '/run/sogoctl.sock';
export const MAX_INSTANCES = 64;

const SUPERVISOR_KEYS = [
  'health_interval',
  'restart_delay',
  'max_restarts',
  'restart_window',
  'stop_timeout',
  'start_timeout',
  'log_file',
  'control_socket',
  'metrics_listen',
];
const SERVICE_KEYS = ['binary', 'args', 'env', 'instances', 'health_socket', 'health_url', 'depends_on'];
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Loads and validates DIR/sogoctl.yaml; throws ConfigError listing every problem. The result is frozen. */
export function loadSogoctlConfig(dir: string, opts?: LoadOptions): SogoctlConfig {
  const problems: ConfigProblem[] = [];
  const config = readSogoctlConfig(dir, problems, opts);
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** The sogoctl.yaml part of loading: problems are appended, a config is returned when the file could be read. */
export function readSogoctlConfig(
  dir: string,
  problems: ConfigProblem[],
  opts?: LoadOptions,
): SogoctlConfig | undefined {
  const root = resolve(dir);
  const report = new FileReport(join(root, 'sogoctl.yaml'), problems);
  const tree = loadTree(report, envOf(opts));
  if (!tree) return undefined;
  const top = new Section(report, '', tree.value ?? {}, ['supervisor', 'services']);
  const supervisor = readSupervisor(top.section('supervisor', SUPERVISOR_KEYS), root);
  if (!top.has('services')) report.add('services', 'is required (at least one service)');
  const services = top.entries('services').map(([name, raw]) => readService(top, name, raw, root));
  if (top.has('services') && services.length === 0) report.add('services', 'must list at least one service');
  checkDependencies(services, report);
  return { file: report.file, supervisor, services };
}

function readSupervisor(s: Section, root: string): SupervisorSettings {
  return {
    healthIntervalMs: s.duration('health_interval', DEFAULT_HEALTH_INTERVAL_MS),
    restartDelayMs: s.duration('restart_delay', DEFAULT_RESTART_DELAY_MS, 0),
    maxRestarts: s.int('max_restarts', DEFAULT_MAX_RESTARTS, 0, 1_000_000),
    restartWindowMs: s.duration('restart_window', DEFAULT_RESTART_WINDOW_MS),
    stopTimeoutMs: s.duration('stop_timeout', DEFAULT_STOP_TIMEOUT_MS),
    startTimeoutMs: s.duration('start_timeout', DEFAULT_START_TIMEOUT_MS),
    logFile: resolveAgainst(
      root,
      s.string('log_file', { required: s.has('log_file') }) ?? DEFAULT_SUPERVISOR_LOG_FILE,
    ),
    controlSocket: resolveAgainst(
      root,
      s.string('control_socket', { required: s.has('control_socket') }) ?? DEFAULT_CONTROL_SOCKET,
    ),
    ...readMetricsListen(s),
  };
}

/** `metrics_listen: "127.0.0.1:9465"`: where sogoctl serves GET /metrics (Prometheus); off when absent. */
function readMetricsListen(s: Section): { metricsListen?: { host: string; port: number } } {
  const raw = s.string('metrics_listen', { required: s.has('metrics_listen') });
  if (raw === undefined) return {};
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw.trim());
  const port = m ? Number(m[2]) : -1;
  if (!m || port > 65535) {
    s.report.add(
      s.at('metrics_listen'),
      `expected HOST:PORT like 127.0.0.1:9465 (got ${s.report.quote(s.at('metrics_listen'), raw)})`,
    );
    return {};
  }
  return { metricsListen: { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port } };
}

function readService(top: Section, name: string, raw: unknown, root: string): ServiceSpec {
  const path = child('services', name);
  if (!SERVICE_NAME.test(name)) {
    top.report.add(path, 'service names use letters, digits, ".", "_" and "-" only');
  }
  const s = new Section(top.report, path, raw, SERVICE_KEYS);
  const binary = s.string('binary', { required: true }) ?? '';
  const instances = s.int('instances', 1, 1, MAX_INSTANCES);
  const spec: ServiceSpec = {
    name,
    // A bare command name ("node") is left to PATH lookup, like a shell would; anything with a slash is a path.
    binary: binary.includes('/') ? resolveAgainst(root, binary) : binary,
    args: s.stringList('args').map((a) => a.value),
    env: readEnv(s),
    instances,
    dependsOn: [...new Set(s.stringList('depends_on').map((d) => d.value))],
  };
  const socket = s.string('health_socket', { required: s.has('health_socket') });
  const url = s.string('health_url', { required: s.has('health_url') });
  if (socket !== undefined && url !== undefined) {
    top.report.add(s.at('health_url'), 'set only one of health_socket and health_url');
  }
  if (socket !== undefined) {
    spec.healthSocket = resolveAgainst(root, socket);
    if (instances > 1 && !socket.includes('{n}')) {
      top.report.add(s.at('health_socket'), 'must contain {n} when instances > 1 (one socket per instance)');
    }
  }
  if (url !== undefined) {
    if (/^https?:\/\/[^/\s]+/.test(url)) spec.healthUrl = url;
    else top.report.add(s.at('health_url'), 'expected an http:// or https:// URL');
  }
  return spec;
}

function readEnv(s: Section): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of s.entries('env')) {
    const path = s.at(`env.${key}`);
    if (!ENV_NAME.test(key)) s.report.add(path, 'not a valid environment variable name');
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      env[key] = String(value);
    } else s.report.add(path, 'expected a string');
  }
  return env;
}
