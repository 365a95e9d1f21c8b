// Picking the app from Host / X-Forwarded-Host, and the client address.
import type { AppConfig, PlatformConfig } from '@sogoms/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIp, normalizeHost, resolveApp } from '../src/apps/host-router.js';
import { type Fixture, HOST, OTHER_HOST, startFixture } from './helpers/fixture.js';

// Only the fields the router reads; trusted proxies as packages/config normalises them.
const LOOPBACK = ['127.0.0.0/8', '::1/128'];
const app = (
  name: string,
  hosts: string[],
  trustProxy: boolean,
  trustedProxies = trustProxy ? LOOPBACK : [],
) => ({ app: name, hosts, trustProxy, trustedProxies }) as unknown as AppConfig;
const config = {
  root: '/x',
  apps: {
    direct: app('direct', ['direct.test', 'www.direct.test'], false),
    proxied: app('proxied', ['proxied.test'], true),
    lan: app('lan', ['lan.test'], true, ['10.1.0.0/16', 'fd00::/8', '192.0.2.7/32']),
  },
} as unknown as PlatformConfig;
const LOCAL = '127.0.0.1';

describe('normalizeHost', () => {
  it('strips the port, lower-cases, drops a trailing dot, keeps IPv6 brackets', () => {
    expect(normalizeHost('Direct.TEST:8080')).toBe('direct.test');
    expect(normalizeHost('direct.test.')).toBe('direct.test');
    expect(normalizeHost('[::1]:8080')).toBe('[::1]');
    expect(normalizeHost(' direct.test ')).toBe('direct.test');
  });
});

describe('resolveApp', () => {
  it('finds the app by Host, case-insensitively and with a port', () => {
    expect(resolveApp(config, 'WWW.Direct.Test:443', undefined, LOCAL)?.app).toBe('direct');
    expect(resolveApp(config, 'proxied.test', undefined, LOCAL)?.app).toBe('proxied');
    expect(resolveApp(config, 'unknown.test', undefined, LOCAL)).toBeUndefined();
    expect(resolveApp(config, undefined, undefined, LOCAL)).toBeUndefined();
  });

  it('believes X-Forwarded-Host only for an app with trust_proxy', () => {
    expect(resolveApp(config, 'localhost:8080', 'proxied.test', LOCAL)?.app).toBe('proxied');
    expect(resolveApp(config, 'localhost:8080', 'Proxied.Test:443, other', LOCAL)?.app).toBe('proxied');
    expect(resolveApp(config, 'localhost:8080', 'direct.test', LOCAL)).toBeUndefined();
    expect(resolveApp(config, 'direct.test', 'proxied-not.test', LOCAL)?.app).toBe('direct');
  });

  it('issue 17: believes X-Forwarded-Host only from a trusted proxy peer (loopback by default)', () => {
    expect(resolveApp(config, 'direct.test', 'proxied.test', '203.0.113.5')?.app).toBe('direct');
    expect(resolveApp(config, 'direct.test', 'proxied.test', '::ffff:127.0.0.1')?.app).toBe('proxied');
    expect(resolveApp(config, 'direct.test', 'proxied.test', '::1')?.app).toBe('proxied');
    expect(resolveApp(config, 'direct.test', 'lan.test', LOCAL)?.app).toBe('direct');
    expect(resolveApp(config, 'direct.test', 'lan.test', '10.1.200.3')?.app).toBe('lan');
    expect(resolveApp(config, 'direct.test', 'lan.test', '::ffff:10.1.0.9')?.app).toBe('lan');
    expect(resolveApp(config, 'direct.test', 'lan.test', 'fd12::1')?.app).toBe('lan');
    expect(resolveApp(config, 'direct.test', 'lan.test', '10.2.0.1')?.app).toBe('direct');
    expect(resolveApp(config, 'direct.test', 'lan.test', '')?.app).toBe('direct');
  });
});

describe('clientIp', () => {
  it('uses the socket address unless the app trusts its proxy, then the last X-Forwarded-For entry', () => {
    expect(clientIp(config.apps.direct!, '127.0.0.1', '1.2.3.4')).toBe('127.0.0.1');
    expect(clientIp(config.apps.proxied!, '127.0.0.1', '6.6.6.6, 1.2.3.4')).toBe('1.2.3.4');
    expect(clientIp(config.apps.proxied!, '127.0.0.1', undefined)).toBe('127.0.0.1');
    expect(clientIp(config.apps.proxied!, '127.0.0.1', ['9.9.9.9', '5.5.5.5'])).toBe('5.5.5.5');
  });

  it('issue 17: ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(clientIp(config.apps.proxied!, '203.0.113.5', '1.2.3.4')).toBe('203.0.113.5');
    expect(clientIp(config.apps.lan!, '127.0.0.1', '1.2.3.4')).toBe('127.0.0.1');
    expect(clientIp(config.apps.lan!, '10.1.0.2', '1.2.3.4')).toBe('1.2.3.4');
  });

  it('walks X-Forwarded-For from the right past trusted proxies; what the client wrote further left is unused', () => {
    // client → 192.0.2.7 (trusted proxy) → 10.1.0.2 (trusted proxy) → gateway
    expect(clientIp(config.apps.lan!, '10.1.0.2', '6.6.6.6, 198.51.100.4, 192.0.2.7')).toBe('198.51.100.4');
    // A non-address entry stops the walk at the last address read.
    expect(clientIp(config.apps.lan!, '10.1.0.2', 'junk, 192.0.2.7')).toBe('192.0.2.7');
    expect(clientIp(config.apps.lan!, '10.1.0.2', 'junk')).toBe('10.1.0.2');
  });
});

describe('through the gateway', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('routes each host to its own app, with its own users', async () => {
    const p = await f.register('same@example.com', 'Prokov user');
    const other = await f.request({
      method: 'POST',
      url: '/api/auth/register',
      host: `${OTHER_HOST.toUpperCase()}:8080`,
      body: { email: 'same@example.com', password: 'correct-horse-battery', name: 'Other user' },
    });
    expect(other.status).toBe(201);
    expect(f.sql('SELECT name FROM users', [], 'other')).toEqual([{ name: 'Other user' }]);
    const me = await f.request({ url: '/api/auth/me', host: `${HOST}:443`, token: p.token });
    expect((me.body.data as { name: string }).name).toBe('Prokov user');
  });

  it('unknown host → 404 APP_NOT_FOUND on every route but /health', async () => {
    for (const url of ['/api/projects', '/api/auth/login', '/anything']) {
      const res = await f.request({ url, host: 'nobody.test' });
      expect(res.status).toBe(404);
      expect(res.body.error?.code).toBe('APP_NOT_FOUND');
    }
    expect((await f.request({ url: '/health', host: 'nobody.test' })).status).toBe(200);
  });

  it('issue 17: a client that is not a trusted proxy can pick neither the app nor its rate-limit address', async () => {
    const g = await startFixture({ prokovAuth: '  rate_limit:\n    login_per_ip: 2' });
    try {
      const me = await g.request({
        url: '/api/auth/me',
        host: 'nobody.test',
        headers: { 'x-forwarded-host': OTHER_HOST },
        peer: '203.0.113.5',
      });
      expect(me.status).toBe(404);
      expect(me.body.error?.code).toBe('APP_NOT_FOUND');
      const login = (ip: string) =>
        g.request({
          method: 'POST',
          url: '/api/auth/login',
          body: { email: 'x@example.com', password: 'whatever-password' },
          ip,
          peer: '203.0.113.5',
        });
      expect((await login('1.1.1.1')).status).toBe(401);
      expect((await login('2.2.2.2')).status).toBe(401);
      const third = await login('3.3.3.3');
      expect(third.status).toBe(429);
      expect(third.body.error?.code).toBe('RATE_LIMITED');
      // The same forged header from the loopback proxy is believed: another counter.
      expect(
        (
          await g.request({
            method: 'POST',
            url: '/api/auth/login',
            ip: '4.4.4.4',
            body: { email: 'x@example.com', password: 'whatever-password' },
          })
        ).status,
      ).toBe(401);
    } finally {
      await g.close();
    }
  });

  it('issue 17: trusted_proxies lists the peers whose forwarding headers are believed', async () => {
    const g = await startFixture({ prokovProxies: 'trusted_proxies: [10.9.0.0/16]' });
    try {
      const fromLan = await g.request({
        url: '/api/auth/me',
        host: 'nobody.test',
        headers: { 'x-forwarded-host': HOST },
        peer: '10.9.3.4',
      });
      expect(fromLan.status).toBe(401); // reached prokov, which wants a token
      const fromLoopback = await g.request({
        url: '/api/auth/me',
        host: 'nobody.test',
        headers: { 'x-forwarded-host': HOST },
      });
      expect(fromLoopback.status).toBe(404);
    } finally {
      await g.close();
    }
  });

  it('follows X-Forwarded-Host for a trust_proxy app', async () => {
    const res = await f.request({
      url: '/api/auth/me',
      host: '127.0.0.1:8080',
      headers: { 'x-forwarded-host': OTHER_HOST },
    });
    expect(res.status).toBe(401); // reached the "other" app, which wants a token
  });
});
