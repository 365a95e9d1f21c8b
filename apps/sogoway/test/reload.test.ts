// A new configuration object takes effect on the next request: hosts, secrets and compiled queries.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlatformConfig } from '@sogoms/config';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Fixture, HOST, startFixture } from './helpers/fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f?.close();
});

it('applies new hosts, a rotated secret and changed queries without a restart', async () => {
  const user = await f.register('r@example.com', 'R');
  for (const name of ['b', 'c', 'a']) {
    await f.request({ method: 'POST', url: '/api/projects', token: user.token, body: { name } });
  }
  const names = async (token: string, host = HOST) =>
    ((await f.request({ url: '/api/projects', token, host })).body.data as { name: string }[]).map(
      (p) => p.name,
    );
  expect(await names(user.token)).toEqual(['b', 'c', 'a']); // position, then id

  const configDir = join(f.dir, 'config');
  const routesFile = join(configDir, 'routes', 'prokov.yaml');
  writeFileSync(
    routesFile,
    readFileSync(routesFile, 'utf8')
      .replace('hosts: [prokov.test,', 'hosts: [prokov.test, new.test,')
      .replace(/jwt_secret: .*/, 'jwt_secret: rotated-secret-0123456789abcdef'),
  );
  const queries = join(configDir, 'queries', 'prokov');
  const source = readFileSync(join(queries, 'projects.yaml'), 'utf8');
  rmSync(queries);
  cpSync(join(configDir, 'queries', 'other'), queries, { recursive: true, dereference: true });
  writeFileSync(
    join(queries, 'projects.yaml'),
    source.replace('order: "position ASC, id ASC"', 'order: "name DESC"'),
  );

  const before = f.config;
  f.config = loadPlatformConfig(configDir);
  expect(f.config).not.toBe(before);

  const old = await f.request({ url: '/api/projects', token: user.token });
  expect(old.status).toBe(401);
  expect(old.body.error?.message).toBe('Invalid token');
  const login = await f.request({
    method: 'POST',
    url: '/api/auth/login',
    host: 'new.test',
    body: { email: 'r@example.com', password: 'correct-horse-battery' },
  });
  expect(login.status).toBe(200);
  const token = (login.body.data as { token: string }).token;
  expect(await names(token, 'new.test')).toEqual(['c', 'b', 'a']);
});
