// A MariaDB server of the test's own: a fresh data directory and a mariadbd process on a free port, which the
// fault suite may kill -9 and start again on the same data — what cannot be done to the machine's server,
// which every other test shares. Built from the machine's own binaries (Debian's mariadb-server).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { MariadbServer } from '../../helpers/mariadb.js';
import { freePort } from '../../helpers/platform.js';

const MARIADBD = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'];
const INSTALL_DB = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'];
const READY_TIMEOUT_MS = 30_000;

const firstExisting = (paths: string[]): string | undefined => paths.find((p) => existsSync(p));

/**
 * Why a private server cannot run here, or undefined when it can. In CI a missing binary is a failure of the
 * machine, not a reason to skip: the caller throws.
 */
export function privateMariadbUnavailable(): string | undefined {
  if (!firstExisting(MARIADBD)) return `no mariadbd among ${MARIADBD.join(', ')}`;
  if (!firstExisting(INSTALL_DB)) return `no mariadb-install-db among ${INSTALL_DB.join(', ')}`;
  return undefined;
}

export class PrivateMariadb {
  readonly dir = mkdtempSync(join(tmpdir(), 'sg-mdb-'));
  private child: ChildProcess | undefined;
  private port = 0;

  /** Connection settings for the platform and the test database helper. */
  get server(): MariadbServer {
    return { host: '127.0.0.1', port: this.port, user: 'root', password: '' };
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Creates the data directory (system tables, root without a password over TCP) and starts the server. */
  async init(): Promise<void> {
    execFileSync(
      firstExisting(INSTALL_DB)!,
      [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--user=${userInfo().username}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ],
      { stdio: 'pipe' },
    );
    this.port = await freePort();
    await this.start();
  }

  /** Starts mariadbd on the existing data directory and port, and waits until it accepts queries. */
  async start(): Promise<void> {
    if (this.child) throw new Error('private MariaDB already running');
    const child = spawn(
      firstExisting(MARIADBD)!,
      [
        '--no-defaults',
        `--datadir=${join(this.dir, 'data')}`,
        `--user=${userInfo().username}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(this.dir, 'mysqld.sock')}`,
        `--pid-file=${join(this.dir, 'mysqld.pid')}`,
        `--log-error=${join(this.dir, 'error.log')}`,
        '--innodb-buffer-pool-size=32M',
        // Durability as a production server has it: a committed insert survives a kill -9.
        '--innodb-flush-log-at-trx-commit=1',
        '--skip-log-bin',
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    // A test process that dies (a killed worker, a hook timeout) must not leave a server running.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => {
      process.off('exit', killOnExit);
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (!this.child) throw new Error(`private mariadbd exited at start:\n${this.errorLog()}`);
      try {
        const conn = await mysql.createConnection({ ...this.server, connectTimeout: 1_000 });
        await conn.end();
        return;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`private mariadbd not ready after ${READY_TIMEOUT_MS} ms: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Sends the signal and resolves once the process is gone (its port closed). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Stops the server if it runs and removes its data directory. */
  async remove(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private errorLog(): string {
    try {
      return readFileSync(join(this.dir, 'error.log'), 'utf8').slice(-2_000);
    } catch {
      return '(no error log)';
    }
  }
}
