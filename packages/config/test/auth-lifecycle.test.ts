// The auth lifecycle keys of routes/{app}.yaml (sessions, access_ttl, refresh_ttl, require_verified_email,
// rate_limit.verify_per_email) and auth.yaml's email_verification, with the problems `sogoctl check` reports.
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../src/index.js';
import { prokovTree } from './fixtures.js';
import { brief, makeTree, problemsOf } from './helpers.js';

const routes = (auth: string) => `
app: prokov
hosts: [prokov.example.com]
database: { driver: sqlite, file: ../data/prokov.db }
auth:
  jwt_secret_file: secrets/jwt
${auth}
smtp: { transport: file, dir: mail, from: noreply@example.com }
`;

function load(files: Record<string, string>) {
  return loadPlatformConfig(makeTree({ ...prokovTree(), ...files })).apps['prokov']!;
}

function problemsWith(files: Record<string, string>): string[] {
  const dir = makeTree({ ...prokovTree(), ...files });
  return brief(
    problemsOf(() => loadPlatformConfig(dir)),
    dir,
  );
}

describe('auth lifecycle settings', () => {
  it('sessions by default: 15 min access tokens, 30 day refresh tokens', () => {
    const { auth } = load({ 'routes/prokov.yaml': routes('') });
    expect(auth).toMatchObject({
      sessions: true,
      jwtExpiryMs: 15 * 60_000,
      refreshTtlMs: 30 * 86_400_000,
      requireVerifiedEmail: false,
    });
  });

  it('access_ttl and refresh_ttl set the lifetimes; sessions: false keeps the seed token of jwt_expiry', () => {
    expect(
      load({ 'routes/prokov.yaml': routes('  access_ttl: 5m\n  refresh_ttl: 168h') }).auth,
    ).toMatchObject({
      sessions: true,
      jwtExpiryMs: 300_000,
      refreshTtlMs: 7 * 86_400_000,
    });
    expect(load({ 'routes/prokov.yaml': routes('  sessions: false\n  jwt_expiry: 24h') }).auth).toMatchObject(
      { sessions: false, jwtExpiryMs: 86_400_000, refreshTtlMs: 0 },
    );
  });

  it('reports a lifetime key of the other mode, a refresh_ttl not longer than access_ttl, with key paths', () => {
    expect(problemsWith({ 'routes/prokov.yaml': routes('  jwt_expiry: 24h') })).toEqual([
      'routes/prokov.yaml auth.jwt_expiry: only used with sessions: false (with sessions the access token lasts access_ttl)',
    ]);
    expect(
      problemsWith({
        'routes/prokov.yaml': routes('  sessions: false\n  access_ttl: 5m\n  refresh_ttl: 24h'),
      }),
    ).toEqual([
      'routes/prokov.yaml auth.access_ttl: only used with sessions: true (the seed token lasts jwt_expiry)',
      'routes/prokov.yaml auth.refresh_ttl: only used with sessions: true (no refresh tokens without sessions)',
    ]);
    expect(problemsWith({ 'routes/prokov.yaml': routes('  access_ttl: 1h\n  refresh_ttl: 30m') })).toEqual([
      'routes/prokov.yaml auth.refresh_ttl: must be longer than access_ttl',
    ]);
  });

  it('require_verified_email needs auth.yaml email_verification, whose template must exist', () => {
    const auth = prokovTree()['queries/prokov/auth.yaml']!;
    expect(problemsWith({ 'routes/prokov.yaml': routes('  require_verified_email: true') })).toEqual([
      'queries/prokov/auth.yaml email_verification: is required: the app sets auth.require_verified_email: true',
    ]);
    expect(
      problemsWith({
        'routes/prokov.yaml': routes('  require_verified_email: true'),
        'queries/prokov/auth.yaml': `${auth}\nemail_verification:\n  template: nope\n  url: "https://x/v?t={{.Token}}"\n`,
      }),
    ).toEqual([
      'queries/prokov/auth.yaml email_verification.template: no email template "nope" (no emails file of that name)',
    ]);
    const app = load({
      'routes/prokov.yaml': routes('  require_verified_email: true'),
      'queries/prokov/auth.yaml': `${auth}\nemail_verification:\n  template: welcome\n  url: "https://x/v?t={{.Token}}"\n`,
    });
    expect(app.auth.requireVerifiedEmail).toBe(true);
    expect(app.authQueries?.emailVerification).toEqual({
      template: 'welcome',
      url: 'https://x/v?t={{.Token}}',
    });
  });
});
