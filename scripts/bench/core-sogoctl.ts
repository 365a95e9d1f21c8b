// The sogoctl.yaml of the four core services (logs, db, smtp, gateway) that the multi-app benches write for
// their generated trees.
import { join } from 'node:path';

export interface CoreSogoctlOptions {
  bin: string;
  configDir: string;
  runDir: string;
  logDir: string;
  port: number;
  healthInterval: string;
}

export function coreSogoctlYaml(o: CoreSogoctlOptions): string {
  const service = (name: string, args: string, deps: string[] = []) =>
    `  ${name}:\n    binary: ${join(o.bin, name)}\n    args: [${args}]\n` +
    (name === 'sogoway'
      ? `    health_url: http://127.0.0.1:${o.port}/health\n`
      : `    health_socket: ${o.runDir}/${name}.1.sock\n`) +
    (deps.length ? `    depends_on: [${deps.join(', ')}]\n` : '');
  const common = (name: string) => `"-config", "${o.configDir}", "-socket", "${o.runDir}/${name}.1.sock"`;
  return (
    `supervisor:\n  health_interval: ${o.healthInterval}\n  stop_timeout: 5s\n` +
    `  log_file: ${join(o.logDir, 'sogoctl.log')}\n  control_socket: ${join(o.runDir, 'sogoctl.sock')}\nservices:\n` +
    service('sogoms-logs', `${common('sogoms-logs')}, "-logdir", "${o.logDir}"`) +
    service('sogoms-db', common('sogoms-db'), ['sogoms-logs']) +
    service('sogoms-smtp', common('sogoms-smtp'), ['sogoms-logs']) +
    service(
      'sogoway',
      `"-config", "${o.configDir}", "-port", "${o.port}", "-host", "127.0.0.1", "-rundir", "${o.runDir}"`,
      ['sogoms-db', 'sogoms-logs'],
    )
  );
}
