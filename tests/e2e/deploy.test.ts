// Issue "newcomer": deploy.sh — every step of the original's deployment in --dry-run, and an archive that
// runs on its own once installed with --local into a folder outside the repository.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mariadbAvailable } from '../helpers/mariadb.js';
import { ROOT, startPlatform, waitFor } from '../helpers/platform.js';

const DEPLOY = join(ROOT, 'deploy.sh');

describe('deploy.sh', () => {
  const cleanup: string[] = [];
  afterAll(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('prints every step of the original deployment with --dry-run, with hosts from the environment', () => {
    const out = execFileSync(DEPLOY, ['--dry-run'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        DEPLOY_JUMP_HOST: 'jump.test',
        DEPLOY_CONTAINER: 'gw9',
        DEPLOY_BACKUP_DIR: '/tmp/sg-backups',
      },
    });
    const version = execFileSync('cat', [join(ROOT, 'VERSION')], { encoding: 'utf8' }).trim();
    const expectations: Array<[string, RegExp]> = [
      ['build', /\+ node .*scripts\/build\.mjs/],
      ['archive', new RegExp(`\\+ tar -czf .*sogoms-${version.replace(/\./g, '\\.')}\\.tar\\.gz`)],
      ['copy to the jump host', /\+ scp -q .*sogoms-.*\.tar\.gz root@jump\.test:\/tmp\//],
      [
        'push into the container',
        /\+ ssh root@jump\.test incus file push \/tmp\/sogoms-.*\.tar\.gz gw9\/tmp\//,
      ],
      ['install', /\+ ssh root@jump\.test incus exec gw9 -- sh -c .*tar -xzf .* -C \/opt\/sogoms\.new/],
      ['local backup', /\+ cp .*sogoms-.*\.tar\.gz \/tmp\/sg-backups\/sogoms-.*\.tar\.gz/],
      ['graceful restart', /kill -TERM .*\/opt\/sogoms\/bin\/sogoctl -config \/config/],
    ];
    for (const [step, pattern] of expectations) expect(out, step).toMatch(pattern);
    expect(out).not.toMatch(/kill -9|pkill -9/);
  });

  it('restarts the whole container instead when sogoctl is its init (DEPLOY_RESTART=container)', () => {
    const out = execFileSync(DEPLOY, ['--dry-run', '--no-build'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        DEPLOY_JUMP_HOST: 'jump.test',
        DEPLOY_CONTAINER: 'gw9',
        DEPLOY_RESTART: 'container',
      },
    });
    expect(out).toMatch(/\+ ssh root@jump\.test incus restart --timeout 30 gw9/);
    expect(out).toMatch(/until \/opt\/sogoms\/bin\/sogoctl status -config \/config/);
  });

  it('stops every service in order when sogoctl, as a container init, gets SIGPWR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-pwr-'));
    cleanup.push(dir);
    writeFileSync(
      join(dir, 'sogoctl.yaml'),
      `supervisor: { log_file: ${dir}/sogoctl.log, control_socket: ${dir}/ctl.sock, stop_timeout: 2s }
services:
  sleeper: { binary: /bin/sleep, args: ["300"] }
`,
    );
    const sogoctl = spawn(join(ROOT, 'bin', 'sogoctl'), ['-config', dir], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => sogoctl.once('exit', (code) => r(code)));
    const child = await waitFor(
      async () => {
        const log = readFileSync(join(dir, 'sogoctl.log'), 'utf8');
        return /"event":"spawned".*?"pid":(\d+)/.exec(log)?.[1];
      },
      10_000,
      'the service to be spawned',
    );
    sogoctl.kill('SIGPWR');
    expect(await exited).toBe(0);
    expect(() => process.kill(Number(child), 0)).toThrow();
  });

  it('refuses a remote deployment without a jump host, naming the setting', () => {
    const env = { ...process.env };
    delete env.DEPLOY_JUMP_HOST;
    const result = spawnSync(DEPLOY, ['--no-build'], { cwd: ROOT, encoding: 'utf8', env });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('DEPLOY_JUMP_HOST');
  });

  // Issue "developer's loop", item 9: --dry-run failed without deploy.env, and a dry run ended "deployed … to gw3".
  it('dry-runs with no deploy.env: placeholders for the hosts, and it ends saying nothing was deployed', () => {
    const env = { ...process.env };
    delete env.DEPLOY_JUMP_HOST;
    delete env.DEPLOY_CONTAINER;
    const result = spawnSync(DEPLOY, ['--dry-run', '--no-build'], { cwd: ROOT, encoding: 'utf8', env });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('+ scp -q ');
    expect(result.stdout).toContain('root@<DEPLOY_JUMP_HOST>:/tmp/');
    expect(result.stdout).toContain('incus file push');
    expect(result.stdout).toContain('<DEPLOY_CONTAINER>');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('== dry run: nothing deployed');
    expect(result.stdout).not.toContain('deployed sogoms');
  });

  it('prints the whole help, down to the last setting', () => {
    const out = execFileSync(DEPLOY, ['--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain('--dry-run');
    expect(out.trimEnd().split('\n').at(-1)).toContain(
      'handles like SIGTERM, and the container starts the new version.',
    );
    expect(out).not.toContain('set -euo');
  });

  it('installs the archive with --local into an empty folder where bin/sogoctl runs a healthy platform', async (ctx) => {
    if (!(await mariadbAvailable())) ctx.skip();
    const target = mkdtempSync(join(tmpdir(), 'sg-install-'));
    cleanup.push(target);
    execFileSync(DEPLOY, ['--local', target], { cwd: ROOT, encoding: 'utf8' });
    for (const name of ['sogoctl', 'sogoway', 'sogoms-db', 'sogoms-logs', 'sogoms-smtp'])
      expect(existsSync(join(target, 'bin', name)), name).toBe(true);
    expect(
      existsSync(join(target, 'node_modules', 'bcrypt', 'prebuilds', 'linux-x64', 'bcrypt.musl.node')),
    ).toBe(true);
    expect(existsSync(join(target, 'node_modules', 'better-sqlite3'))).toBe(false);
    const version = execFileSync(join(target, 'bin', 'sogoctl'), ['--version'], {
      cwd: target,
      encoding: 'utf8',
    });
    expect(version).toMatch(/^sogoctl \d+\.\d+\.\d+/);
    const p = await startPlatform({ driver: 'mysql', binDir: join(target, 'bin') });
    try {
      const res = await p.request('POST', '/api/auth/register', {
        body: { email: 'ops@example.com', password: 'deployed-ok', name: 'Ops' },
      });
      expect(res.status).toBe(201);
      const login = await p.request('POST', '/api/auth/login', {
        body: { email: 'ops@example.com', password: 'deployed-ok' },
      });
      expect(login.status).toBe(200);
    } finally {
      expect(await p.stop()).toBe(0);
    }
  });
});
