// A private Mosquitto for the push tests: its own port, anonymous access off, the dynamic-security plugin with an
// admin account that may also publish on sogoms/# (the platform account of `push:`). stop()/start() keep the
// port and the plugin's file, so a test can take the broker away under load and bring it back.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './platform.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';
export const BROKER_ADMIN = { username: 'sogoms', password: 'sogoms-admin-pass' };

/** True when Mosquitto and its plugin are installed; in CI their absence throws (the suite must not skip). */
export function mosquittoAvailable(): boolean {
  const ok = existsSync(MOSQUITTO) && existsSync(DYNSEC_PLUGIN);
  if (!ok && process.env.CI)
    throw new Error(`Mosquitto missing in CI (${MOSQUITTO}, ${DYNSEC_PLUGIN}): .ci/run installs it`);
  if (!ok) console.warn('Mosquitto not installed: the push tests are skipped');
  return ok;
}

export interface TestBroker {
  port: number;
  url: string;
  /** The broker's process id while it runs. */
  pid(): number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** stop() and remove the folder. */
  close(): Promise<void>;
}

export async function startBroker(): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'sgm-'));
  const port = await freePort();
  const dynsec = join(dir, 'dynsec.json');
  execFileSync('mosquitto_ctrl', ['dynsec', 'init', dynsec, BROKER_ADMIN.username, BROKER_ADMIN.password], {
    stdio: 'ignore',
  });
  // The admin role of `dynsec init` may administer the plugin and read everything; the platform also publishes.
  const json = JSON.parse(readFileSync(dynsec, 'utf8')) as {
    roles: { rolename: string; acls: object[] }[];
  };
  json.roles
    .find((r) => r.rolename === 'admin')!
    .acls.push({ acltype: 'publishClientSend', topic: 'sogoms/#', allow: true });
  writeFileSync(dynsec, JSON.stringify(json));
  const conf = join(dir, 'mosquitto.conf');
  // Started as root, Mosquitto would switch to the `mosquitto` user, who cannot read this private folder.
  writeFileSync(
    conf,
    `listener ${port} 127.0.0.1
allow_anonymous false
persistence false
plugin ${DYNSEC_PLUGIN}
plugin_opt_config_file ${dynsec}
log_dest none
${process.getuid?.() === 0 ? 'user root\n' : ''}`,
  );
  let child: ChildProcess | undefined;
  const broker: TestBroker = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    pid: () => child?.pid,
    async start() {
      child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
      await waitFor(() => accepts(port), 10_000, 'mosquitto listening');
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await gone;
    },
    async close() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
