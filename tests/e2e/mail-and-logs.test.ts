// Issue "logs and smtp": the gateway's events, welcome mail and password reset, end to end — platform started
// by sogoctl, mail received by a real SMTP server started here, events read from the logs service's files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type Platform, startPlatform, waitFor } from '../helpers/platform.js';

describe('events, welcome mail and password reset through the whole platform', () => {
  let p: Platform;
  let smtp: SMTPServer;
  const inbox: ParsedMail[] = [];
  const logins: string[] = [];

  beforeAll(async () => {
    const smtpPort = await freePort();
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        logins.push(`${auth.username}:${auth.password}`);
        if (auth.username === 'mailer' && auth.password === 'smtp-pass-42')
          callback(null, { user: 'mailer' });
        else callback(new Error('bad credentials'));
      },
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            inbox.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
    p = await startPlatform({
      driver: 'sqlite',
      routesExtra: `smtp:
  host: 127.0.0.1
  port: ${smtpPort}
  tls: false
  user: mailer
  password_file: ../secrets/smtp
  from: noreply@prokov.test
  from_name: Prokov`,
      beforeStart: (dir) => ({ file: join(dir, 'secrets', 'smtp'), content: 'smtp-pass-42\n' }),
    });
  }, 120_000);

  afterAll(async () => {
    if (p) expect(await p.stop()).toBe(0);
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  });

  const mailTo = (address: string, subject: RegExp) =>
    waitFor(
      async () =>
        inbox.find((m) => m.to && JSON.stringify(m.to).includes(address) && subject.test(m.subject ?? '')),
      15_000,
      `a mail to ${address}`,
    );

  it('sends the welcome template after registration, authenticated with the password from its file', async () => {
    const res = await p.request('POST', '/api/auth/register', {
      body: { email: 'grace@example.com', password: 'first-password', name: 'Grace <Hopper>' },
    });
    expect(res.status).toBe(201);
    const mail = await mailTo('grace@example.com', /.+/);
    expect(mail.text).toContain('Grace <Hopper>');
    expect(String(mail.html)).toContain('Grace &lt;Hopper&gt;');
    expect(mail.from?.text).toContain('noreply@prokov.test');
    expect(logins).toContain('mailer:smtp-pass-42');
  });

  it('resets a password with the mailed single-use token; the old password and a second use fail', async () => {
    const forgot = await p.request('POST', '/api/auth/password/forgot', {
      body: { email: 'grace@example.com' },
    });
    expect(forgot.status).toBe(200);
    const mail = await mailTo('grace@example.com', /(mot de passe|password|réinitialis)/i);
    const token = /token=([A-Za-z0-9._~%-]+)/.exec(mail.text ?? '')?.[1];
    expect(token, mail.text).toBeTruthy();
    const reset = await p.request('POST', '/api/auth/password/reset', {
      body: { token: decodeURIComponent(token!), password: 'second-password' },
    });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    const withNew = await p.request('POST', '/api/auth/login', {
      body: { email: 'grace@example.com', password: 'second-password' },
    });
    expect(withNew.status).toBe(200);
    const withOld = await p.request('POST', '/api/auth/login', {
      body: { email: 'grace@example.com', password: 'first-password' },
    });
    expect(withOld.status).toBe(401);
    expect(withOld.body.error?.code).toBe('INVALID_CREDENTIALS');
    const again = await p.request('POST', '/api/auth/password/reset', {
      body: { token: decodeURIComponent(token!), password: 'third-password' },
    });
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
  });

  it('answers forgot for an unknown email with the same 200 and sends nothing', async () => {
    const known = await p.request('POST', '/api/auth/password/forgot', {
      body: { email: 'grace@example.com' },
    });
    const before = inbox.length;
    const unknown = await p.request('POST', '/api/auth/password/forgot', {
      body: { email: 'nobody@example.com' },
    });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual(known.body);
    await new Promise((r) => setTimeout(r, 1000));
    expect(inbox.slice(before).some((m) => JSON.stringify(m.to).includes('nobody@example.com'))).toBe(false);
  });

  it('writes register, login, failed login and logout events with user id and client address', async () => {
    const login = await p.request('POST', '/api/auth/login', {
      body: { email: 'grace@example.com', password: 'second-password' },
    });
    const token = (login.body.data as { token: string }).token;
    await p.request('POST', '/api/auth/logout', { token });
    const events = await waitFor(
      async () => {
        const file = readdirSync(p.logDir).find((f) => /^prokov-\d{8}-events\.log$/.test(f));
        if (!file) return undefined;
        const lines = readFileSync(join(p.logDir, file), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        return lines.some((l) => l.event === 'logout') ? lines : undefined;
      },
      10_000,
      'the events file',
    );
    for (const line of events) expect(Object.keys(line)[0]).toBe('ts');
    const kinds = new Set(events.map((l) => l.event));
    for (const kind of ['register', 'login', 'logout']) expect(kinds, kind).toContain(kind);
    expect([...kinds].some((k) => /fail/.test(String(k)))).toBe(true);
    const loginLine = events.find((l) => l.event === 'login');
    expect(loginLine.user_id).toBeGreaterThan(0);
    expect(loginLine.ip).toMatch(/127\.0\.0\.1/);
  });
});
