import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../src/index.js';
import { DB_PASSWORD, JWT_SECRET, prokovTree } from './fixtures.js';
import { makeTree } from './helpers.js';

describe('loadPlatformConfig', () => {
  it('reads an app with its queries and emails, defaults filled in and paths resolved against DIR', () => {
    const dir = makeTree(prokovTree());
    const { root, apps } = loadPlatformConfig(dir);
    expect(root).toBe(dir);
    const app = apps['prokov']!;
    expect(app.file).toBe(join(dir, 'routes/prokov.yaml'));
    expect(app.app).toBe('prokov');
    expect(app.version).toBe('1.0');
    expect(app.basePath).toBe('/api');
    expect(app.hosts).toEqual(['prokov.example.com', 'localhost']);
    expect(app.trustProxy).toBe(false);
    expect(app.trustedProxies).toEqual([]);
    expect(app.database).toEqual({
      driver: 'sqlite',
      host: '127.0.0.1',
      port: 3306,
      user: '',
      password: DB_PASSWORD,
      name: '',
      file: join(dir, '..', 'data/prokov.db'),
      create: false,
      pool: 10,
      queryTimeoutMs: 5_000,
      idleTimeoutMs: 30_000,
    });
    expect(app.auth).toEqual({
      jwtSecret: JWT_SECRET,
      jwtExpiryMs: 900_000,
      sessions: true,
      refreshTtlMs: 2_592_000_000,
      requireVerifiedEmail: false,
      bcryptCost: 10,
      passwordMinLength: 8,
      rateLimit: {
        enabled: true,
        loginFailuresPerEmail: 10,
        loginFailuresWindowMs: 900_000,
        loginPerIp: 100,
        loginPerIpWindowMs: 60_000,
        registerPerIp: 20,
        registerPerIpWindowMs: 3_600_000,
        forgotPerEmail: 3,
        forgotPerEmailWindowMs: 3_600_000,
        verifyPerEmail: 3,
        verifyPerEmailWindowMs: 3_600_000,
      },
    });
    expect(app.smtp).toEqual({
      transport: 'file',
      host: '',
      port: 587,
      from: 'noreply@example.com',
      fromName: 'Prokov',
      tls: false,
      dir: join(dir, 'mail'),
    });
    expect(app.logs).toEqual({ retentionDays: 30 });
    expect(app.authQueries).toEqual({
      login: {
        query: 'SELECT id, email, name, password, role FROM users WHERE email = :email',
        include: ['projects', 'tags'],
      },
      register: { table: 'users', fields: ['email', 'password', 'name'], welcomeEmail: 'welcome' },
      me: { query: 'SELECT id, email, name, role FROM users WHERE id = :user_id' },
      passwordReset: {
        template: 'password_reset',
        url: 'https://prokov.example.com/reset?token={{.Token}}',
        update: { table: 'users' },
      },
    });
    const projects = app.resources['projects']!;
    expect(projects.ownerField).toBe('user_id');
    expect(projects.list).toEqual({
      query: 'SELECT id, name, description FROM projects',
      filters: { default: 'user_id = :user_id', admin: '' },
      order: 'position ASC',
      params: { status_id: 'status_id = :status_id', archived: 'archived = :archived' },
      sortable: ['name', 'position'],
      limit: { default: 50, max: 500, maxOffset: 1_000 },
      key: 'id',
    });
    expect(projects.show?.filters).toEqual({ default: 'user_id = :user_id', admin: '' });
    expect(projects.create).toEqual({
      table: 'projects',
      fields: ['user_id', 'name', 'description', 'position'],
      filters: {},
      references: {},
    });
    expect(projects.delete).toEqual({
      table: 'projects',
      fields: [],
      filters: { default: 'user_id = :user_id', admin: '' },
      references: {},
    });
    expect(app.resources['tags']?.ownerField).toBe('owner_id');
    expect(app.resources['tags']?.list?.limit).toEqual({ default: 20, max: 100, maxOffset: 1_000 });
    expect(app.resources['auth']).toBeUndefined();
    expect(app.emails['welcome']).toEqual({
      name: 'welcome',
      subject: 'Bienvenue {{.Name}} !',
      body: 'Bonjour {{.Name}},\n',
      bodyHtml: '<h1>Bienvenue {{.Name}} !</h1>\n',
    });
  });

  it('keeps an unquoted version as written (version: 1.0 read "1" before)', () => {
    const dir = makeTree({
      'routes/shop.yaml': `
version: 1.0   # unquoted
hosts: [shop.example.com]
database: { driver: sqlite, file: data/shop.db }
auth: { jwt_secret: inline-secret }
`,
    });
    expect(loadPlatformConfig(dir).apps['shop']?.version).toBe('1.0');
  });

  it('reads a MariaDB app with every setting given, secrets inline and from environment variables', () => {
    const dir = makeTree({
      'secrets/smtp': 'smtp-pass\n\n',
      'routes/shop.yaml': `
version: 2
base_path: /v1/
hosts: [shop.example.com]
trust_proxy: true
database:
  host: db.internal
  port: "\${DB_PORT:-3307}"
  socket: run/mysqld.sock
  user: shop
  password: "\${DB_PASS}"
  name: shop
  pool: 4
  query_timeout: 2s
auth:
  jwt_secret: inline-secret
  sessions: false
  jwt_expiry: 1h
  bcrypt_cost: 12
  password_min_length: 10
  rate_limit:
    enabled: false
    login_failures_per_email: 3
    login_failures_window: 5m
    login_per_ip: 30
    login_per_ip_window: 30s
    register_per_ip: 2
    register_per_ip_window: 24h
    forgot_per_email: 5
    forgot_per_email_window: 10m
    verify_per_email: 2
    verify_per_email_window: 1m
smtp:
  host: smtp.example.com
  user: me@example.com
  password_file: secrets/smtp
  from: me@example.com
  tls: true
logs:
  retention_days: 7
`,
    });
    const app = loadPlatformConfig(dir, { env: { DB_PASS: 'from-env' } }).apps['shop']!;
    expect(app.version).toBe('2');
    expect(app.basePath).toBe('/v1');
    expect(app.trustProxy).toBe(true);
    expect(app.trustedProxies).toEqual(['127.0.0.0/8', '::1/128']);
    expect(app.database).toEqual({
      driver: 'mysql',
      host: 'db.internal',
      port: 3307,
      socket: join(dir, 'run/mysqld.sock'),
      user: 'shop',
      password: 'from-env',
      name: 'shop',
      pool: 4,
      queryTimeoutMs: 2_000,
      idleTimeoutMs: 30_000,
    });
    expect(app.auth).toEqual({
      jwtSecret: 'inline-secret',
      jwtExpiryMs: 3_600_000,
      sessions: false,
      refreshTtlMs: 0,
      requireVerifiedEmail: false,
      bcryptCost: 12,
      passwordMinLength: 10,
      rateLimit: {
        enabled: false,
        loginFailuresPerEmail: 3,
        loginFailuresWindowMs: 300_000,
        loginPerIp: 30,
        loginPerIpWindowMs: 30_000,
        registerPerIp: 2,
        registerPerIpWindowMs: 86_400_000,
        forgotPerEmail: 5,
        forgotPerEmailWindowMs: 600_000,
        verifyPerEmail: 2,
        verifyPerEmailWindowMs: 60_000,
      },
    });
    expect(app.smtp).toEqual({
      transport: 'smtp',
      host: 'smtp.example.com',
      port: 465,
      user: 'me@example.com',
      password: 'smtp-pass',
      from: 'me@example.com',
      tls: true,
    });
    expect(app.logs.retentionDays).toBe(7);
    expect(app.authQueries).toBeUndefined();
    expect(app.resources).toEqual({});
    expect(app.emails).toEqual({});
  });

  it('returns a deeply frozen config', () => {
    const cfg = loadPlatformConfig(makeTree(prokovTree()));
    const app = cfg.apps['prokov']!;
    for (const part of [cfg, cfg.apps, app, app.hosts, app.database, app.auth.rateLimit, app.resources]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(Object.isFrozen(app.resources['projects']?.list?.filters)).toBe(true);
    expect(Object.isFrozen(app.emails['welcome'])).toBe(true);
    expect(() => {
      (app.database as { pool: number }).pool = 99;
    }).toThrow(TypeError);
  });

  it('reads the queries and emails folders through symlinks', () => {
    const shared = makeTree(prokovTree());
    const tree = prokovTree();
    const dir = makeTree(
      Object.fromEntries(
        Object.entries(tree).filter(([k]) => !k.startsWith('queries') && !k.startsWith('emails')),
      ),
    );
    symlinkSync(join(shared, 'queries'), join(dir, 'queries'));
    symlinkSync(join(shared, 'emails'), join(dir, 'emails'));
    const app = loadPlatformConfig(dir).apps['prokov']!;
    expect(Object.keys(app.resources).sort()).toEqual(['projects', 'tags']);
    expect(Object.keys(app.emails).sort()).toEqual(['password_reset', 'welcome']);
  });
});
