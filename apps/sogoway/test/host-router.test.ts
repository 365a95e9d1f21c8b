// Picking the app from Host / X-Forwarded-Host, and the client address.
import type { AppConfig, PlatformConfig } from '@sogoms/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIp, normalizeHost, resolveApp } from '../src/apps/host-router.js';
import { type Fixture, HOST, OTHER_HOST, startFixture } from './helpers/fixture.js';

// Only the fields the router reads.
const app = (name: string, hosts: string[], trustProxy: boolean) =>
  ({ app: name, hosts, trustProxy }) as unknown as AppConfig;
const config = {
  root: '/x',
  apps: {
    direct: app('direct', ['direct.test', 'www.direct.test'], false),
    proxied: app('proxied', ['proxied.test'], true),
  },
} as unknown as PlatformConfig;

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
    expect(resolveApp(config, 'WWW.Direct.Test:443', undefined)?.app).toBe('direct');
    expect(resolveApp(config, 'proxied.test', undefined)?.app).toBe('proxied');
    expect(resolveApp(config, 'unknown.test', undefined)).toBeUndefined();
    expect(resolveApp(config, undefined, undefined)).toBeUndefined();
  });

  it('believes X-Forwarded-Host only for an app with trust_proxy', () => {
    expect(resolveApp(config, 'localhost:8080', 'proxied.test')?.app).toBe('proxied');
    expect(resolveApp(config, 'localhost:8080', 'Proxied.Test:443, other')?.app).toBe('proxied');
    expect(resolveApp(config, 'localhost:8080', 'direct.test')).toBeUndefined();
    expect(resolveApp(config, 'direct.test', 'proxied-not.test')?.app).toBe('direct');
  });
});

describe('clientIp', () => {
  it('uses the socket address unless the app trusts its proxy, then the last X-Forwarded-For entry', () => {
    expect(clientIp(config.apps.direct!, '127.0.0.1', '1.2.3.4')).toBe('127.0.0.1');
    expect(clientIp(config.apps.proxied!, '127.0.0.1', '6.6.6.6, 1.2.3.4')).toBe('1.2.3.4');
    expect(clientIp(config.apps.proxied!, '127.0.0.1', undefined)).toBe('127.0.0.1');
    expect(clientIp(config.apps.proxied!, '127.0.0.1', ['9.9.9.9', '5.5.5.5'])).toBe('5.5.5.5');
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

  it('follows X-Forwarded-Host for a trust_proxy app', async () => {
    const res = await f.request({
      url: '/api/auth/me',
      host: '127.0.0.1:8080',
      headers: { 'x-forwarded-host': OTHER_HOST },
    });
    expect(res.status).toBe(401); // reached the "other" app, which wants a token
  });
});
