// A real SMTP server (smtp-server) recording what it receives, temporary config trees, and a logger that keeps
// its lines so tests can check that no secret is ever logged.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlatformConfig, type PlatformConfig } from '@sogoms/config';
import type { MinimalLogger } from '@sogoms/protocol';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { afterEach } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
// Self-signed for localhost and 127.0.0.1, valid 100 years; made with
// openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=localhost
//   -addext subjectAltName=DNS:localhost,IP:127.0.0.1
export const TEST_CERT = readFileSync(join(FIXTURES, 'localhost-cert.pem'));
export const TEST_KEY = readFileSync(join(FIXTURES, 'localhost-key.pem'));

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Received {
  mail: ParsedMail;
  raw: string;
  secure: boolean;
  user: unknown;
  from: string;
  to: string[];
}

export interface TestSmtpServer {
  port: number;
  received: Received[];
  /** MAIL FROM commands seen: 0 proves nothing at all was attempted. */
  mailFroms: number;
  auths: { username?: string | null; password?: string | null }[];
}

export interface TestSmtpServerOptions {
  /** plain: no STARTTLS offered; starttls: offered; tls: implicit TLS from the first byte (465-style). */
  mode: 'plain' | 'starttls' | 'tls';
  auth?: { user: string; pass: string };
  rejectRecipient?: (address: string) => boolean;
}

/** Starts an SMTP server on 127.0.0.1 and a free port; closed after the test. */
export async function startSmtpServer(opts: TestSmtpServerOptions): Promise<TestSmtpServer> {
  const state: TestSmtpServer = { port: 0, received: [], mailFroms: 0, auths: [] };
  const server = new SMTPServer({
    secure: opts.mode === 'tls',
    ...(opts.mode === 'plain' ? {} : { key: TEST_KEY, cert: TEST_CERT }),
    disabledCommands: opts.mode === 'plain' ? ['STARTTLS', 'AUTH'] : opts.auth ? [] : ['AUTH'],
    authOptional: !opts.auth,
    logger: false,
    onAuth(auth, _session, callback) {
      state.auths.push({ username: auth.username, password: auth.password });
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) {
        return callback(null, { user: auth.username });
      }
      return callback(new Error('Invalid username or password'));
    },
    onMailFrom(_address, _session, callback) {
      state.mailFroms++;
      callback();
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (opts.rejectRecipient?.(address.address)) {
        const err = Object.assign(new Error(`<${address.address}>: Recipient address rejected`), {
          responseCode: 550,
        });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (mail) => {
            state.received.push({
              mail,
              raw: raw.toString('utf8'),
              secure: session.secure,
              user: session.user,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.server.address() as AddressInfo).port;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return state;
}

export interface ConfigTree {
  dir: string;
  config: PlatformConfig;
}

/**
 * A config root with app "prokov" (the given smtp section, YAML lines without indentation; none when null), app
 * "nosmtp" (no smtp section), the given email templates of prokov and any extra files.
 */
export function writeSmtpConfig(
  smtp: string[] | null,
  emails: Record<string, string> = {},
  files: Record<string, string> = {},
): ConfigTree {
  const dir = tempDir();
  const app = (name: string, extra: string) =>
    `app: ${name}\nhosts: [${name}.test]\ndatabase:\n  driver: sqlite\n  file: ${name}.db\n` +
    `auth:\n  jwt_secret: test-secret-${name}\n${extra}`;
  const all: Record<string, string> = {
    'routes/prokov.yaml': app('prokov', smtp ? `smtp:\n${smtp.map((l) => `  ${l}\n`).join('')}` : ''),
    'routes/nosmtp.yaml': app('nosmtp', ''),
    ...Object.fromEntries(Object.entries(emails).map(([name, yaml]) => [`emails/prokov/${name}.yaml`, yaml])),
    ...files,
  };
  for (const [rel, content] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return { dir, config: loadPlatformConfig(dir) };
}

/** smtp settings pointing at a test server. */
export const smtpAt = (port: number, extra: string[] = []) => [
  'host: 127.0.0.1',
  `port: ${port}`,
  'from: noreply@prokov.test',
  'from_name: Prokov',
  ...extra,
];

/** A logger keeping every line it is given, serialised. */
export function memoryLogger(): MinimalLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (obj: object | string, msg?: string) => {
    lines.push(JSON.stringify({ obj, msg }));
  };
  return { lines, info: log, warn: log, error: log };
}

export { ensureBuilt } from '../../../tests/helpers/build.js';
