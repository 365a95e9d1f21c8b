// /auth/password/forgot and /auth/password/reset: single-use tokens valid for one hour, no account disclosure,
// and a mail outage never fails the request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, PASSWORD, startFixture } from './helpers/fixture.js';

let f: Fixture;
let user: { id: number; token: string };

beforeAll(async () => {
  // These tests mail one address many times; the per-address limit has its own tests below.
  f = await startFixture({ prokovAuth: '  rate_limit:\n    forgot_per_email: 1000' });
  user = await f.register('reset@example.com', 'Rita');
});
afterAll(async () => {
  await f?.close();
});

const forgot = (email: string) =>
  f.request({ method: 'POST', url: '/api/auth/password/forgot', body: { email } });
const reset = (token: string, password: string) =>
  f.request({ method: 'POST', url: '/api/auth/password/reset', body: { token, password } });
const login = (password: string) =>
  f.request({ method: 'POST', url: '/api/auth/login', body: { email: 'reset@example.com', password } });

const resetMails = () => f.smtp.calls.filter((c) => c.params.template === 'password_reset');

async function mailedToken(): Promise<{ token: string; url: string }> {
  const count = resetMails().length;
  const res = await forgot('reset@example.com');
  expect(res.status).toBe(200);
  await f.smtp.waitFor('send_template', () => resetMails().length > count);
  const mail = resetMails().at(-1)!;
  expect(mail.params).toMatchObject({ app_id: 'prokov', to: 'reset@example.com' });
  const data = mail.params.data as { Token: string; ResetURL: string };
  return { token: data.Token, url: data.ResetURL };
}

describe('password reset', () => {
  it('forgot answers 200 alike for unknown and known emails, and mails only the known one', async () => {
    const before = resetMails().length;
    const unknown = await forgot('nobody@example.com');
    expect(unknown.status).toBe(200);
    const { token, url } = await mailedToken();
    expect(resetMails().length).toBe(before + 1);
    expect(url).toBe(`https://prokov.sogoms.com/reset?token=${token}`);
    const known = await forgot('RESET@example.com');
    expect(known.body).toEqual(unknown.body);
    await f.smtp.waitFor('send_template', () => resetMails().length > before + 1);
    const mail = resetMails().at(-1)!.params.data as Record<string, unknown>;
    expect(mail).toMatchObject({ Name: 'Rita', Email: 'reset@example.com' });
  });

  it('reset sets the new password; the token then no longer works', async () => {
    const { token } = await mailedToken();
    const res = await reset(token, 'brand-new-password');
    expect(res.status).toBe(200);
    expect((await login('brand-new-password')).status).toBe(200);
    expect((await login(PASSWORD)).status).toBe(401);
    const again = await reset(token, 'another-password-1');
    expect(again.status).toBe(400);
    expect(again.body.error).toEqual({ code: 'VALIDATION_ERROR', message: 'Invalid or expired reset token' });
    expect((await login('brand-new-password')).status).toBe(200);
    await f.logs.waitFor('log_event', (p) => p.event === 'password_reset' && p.user_id === user.id);
  });

  it('using one token invalidates every other token issued before it', async () => {
    const first = await mailedToken();
    const second = await mailedToken();
    expect((await reset(second.token, 'password-number-2')).status).toBe(200);
    expect((await reset(first.token, 'password-number-3')).status).toBe(400);
  });

  it('a token expires after one hour', async () => {
    const { token } = await mailedToken();
    const saved = f.now;
    f.now += 60 * 60_000;
    try {
      expect((await reset(token, 'too-late-password')).status).toBe(400);
    } finally {
      f.now = saved;
    }
    f.now += 60 * 60_000 - 1000;
    try {
      expect((await reset(token, 'just-in-time-pw')).status).toBe(200);
    } finally {
      f.now = saved;
    }
  });

  it('a tampered or forged token is refused', async () => {
    const { token } = await mailedToken();
    const [id, exp, mac] = token.split('.') as [string, string, string];
    const forged = [
      `${id}.${Number(exp) + 3600}.${mac}`,
      `${Number(id) + 1}.${exp}.${mac}`,
      `${id}.${exp}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      `${id}.${exp}`,
      'garbage',
      '',
    ];
    for (const bad of forged)
      expect({ bad, status: (await reset(bad, 'whatever-password')).status }).toEqual({ bad, status: 400 });
    expect((await reset(token, 'valid-after-all')).status).toBe(200);
  });

  it('reset checks the new password length', async () => {
    const { token } = await mailedToken();
    const res = await reset(token, 'short');
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toContain('at least 8');
  });

  it('forgot still answers 200 when sogoms-smtp fails, and the failure is logged', async () => {
    f.smtp.failWith = 'SMTP_ERROR';
    try {
      expect((await forgot('reset@example.com')).status).toBe(200);
      await expect.poll(() => f.logged.some((l) => l.msg === 'mail not sent')).toBe(true);
    } finally {
      f.smtp.failWith = undefined;
    }
  });

  it('forgot without any smtp service answers 200', async () => {
    const g = await startFixture({ withoutSmtp: true });
    try {
      await g.register('nomail@example.com', 'N');
      expect(
        (
          await g.request({
            method: 'POST',
            url: '/api/auth/password/forgot',
            body: { email: 'nomail@example.com' },
          })
        ).status,
      ).toBe(200);
      expect(g.logged.some((l) => l.msg === 'no smtp service: mail not sent')).toBe(true);
    } finally {
      await g.close();
    }
  });

  it('forgot refuses a malformed email → 400', async () => {
    expect((await forgot('not-an-email')).status).toBe(400);
  });
});

describe('forgot-password mail flood (issue 6)', () => {
  let g: Fixture;
  beforeAll(async () => {
    g = await startFixture({
      prokovAuth: `  rate_limit:
    forgot_per_email: 3
    forgot_per_email_window: 1h`,
    });
    await g.register('victim@example.com', 'Victim');
  });
  afterAll(async () => {
    await g?.close();
  });

  const forgotOn = (email: string) =>
    g.request({ method: 'POST', url: '/api/auth/password/forgot', body: { email } });
  const mailsTo = (to: string) =>
    g.smtp.calls.filter((c) => c.params.template === 'password_reset' && c.params.to === to).length;

  it('30 forgot calls for one address, from 30 client addresses, send 3 mails and all answer the same 200', async () => {
    const answers = [];
    // Variants of the address count as the same address.
    for (let i = 0; i < 30; i++)
      answers.push(await forgotOn(i % 2 ? 'VICTIM@example.com' : 'victim@example.com'));
    const unknown = await forgotOn('nobody-here@example.com');
    for (const res of [...answers, unknown]) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual(unknown.body);
    }
    await g.smtp.waitFor('send_template', () => mailsTo('victim@example.com') >= 3);
    // The mails are fire-and-forget: any beyond the third would have been sent by now (same event-loop turns).
    await g.request({ url: '/health' });
    expect(mailsTo('victim@example.com')).toBe(3);
    expect(
      g.logs.calls.filter((c) => c.params.event === 'password_forgot').length,
      'password_forgot events',
    ).toBe(3);
  });

  it('mails the address again once the window has passed; other addresses are not affected', async () => {
    await g.register('bystander@example.com', 'Bystander');
    expect((await forgotOn('bystander@example.com')).status).toBe(200);
    await g.smtp.waitFor('send_template', () => mailsTo('bystander@example.com') === 1);
    g.now += 60 * 60_000;
    expect((await forgotOn('victim@example.com')).status).toBe(200);
    await g.smtp.waitFor('send_template', () => mailsTo('victim@example.com') === 4);
  });
});
