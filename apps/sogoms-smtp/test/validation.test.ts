// Header injection and address validation: refused with VALIDATION_ERROR before anything reaches the server.
import { ErrorCode } from '@sogoms/protocol';
import type { ServiceInstance } from '@sogoms/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../../../tests/helpers/rejection.js';
import { isValidAddress, parseAddress } from '../src/addresses.js';
import { createSmtpService } from '../src/smtp-service.js';
import { memoryLogger, smtpAt, startSmtpServer, writeSmtpConfig } from './helpers.js';

const ctx = { id: 'req_val.1', action: 'send' };
let service: ServiceInstance | undefined;
afterEach(async () => {
  await service?.close?.();
  service = undefined;
});

const ok = { app_id: 'prokov', to: 'alice@example.com', subject: 'Hi', body: 'Hello' };

describe('sogoms-smtp validation', () => {
  it('refuses CR/LF in the subject, addresses and display names (header injection), sending nothing', async () => {
    const server = await startSmtpServer({ mode: 'plain' });
    service = createSmtpService({
      config: writeSmtpConfig(smtpAt(server.port)).config,
      logger: memoryLogger(),
    });
    const attempts: [Record<string, unknown>, string][] = [
      [{ subject: 'Hi\r\nBcc: x@y.zz' }, 'subject'],
      [{ subject: 'Hi\nBcc: x@y.zz' }, 'subject'],
      [{ subject: 'Hi\rthere' }, 'subject'],
      [{ subject: 'Hi\u0000' }, 'subject'],
      [{ to: 'alice@example.com\r\nBcc: x@y.zz' }, 'to'],
      [{ to: ['bob@example.com', 'alice@example.com\nBcc: x@y.zz'] }, 'to[1]'],
      [{ to: 'Alice\r\nBcc: x@y.zz <alice@example.com>' }, 'to'],
      [{ to: { name: 'Alice\nBcc: x@y.zz', address: 'alice@example.com' } }, 'to'],
      [{ cc: 'c@example.com\r\n' }, 'cc'],
      [{ bcc: ['b@example.com\r\nSubject: x'] }, 'bcc[0]'],
      [{ reply_to: 'r@example.com\nX: y' }, 'reply_to'],
    ];
    for (const [change, field] of attempts) {
      const err = await rejection(service.actions.send!({ ...ok, ...change }, ctx));
      expect(err.code, JSON.stringify(change)).toBe(ErrorCode.VALIDATION_ERROR);
      expect(err.data).toEqual({ field });
    }
    expect(server.mailFroms).toBe(0);
  });

  it('refuses missing or malformed fields with VALIDATION_ERROR', async () => {
    const server = await startSmtpServer({ mode: 'plain' });
    service = createSmtpService({
      config: writeSmtpConfig(smtpAt(server.port)).config,
      logger: memoryLogger(),
    });
    const attempts: [Record<string, unknown>, string][] = [
      [{ to: undefined }, 'to'],
      [{ to: [] }, 'to'],
      [{ to: 'not-an-address' }, 'to'],
      [{ to: 'a@b' }, 'to'],
      [{ to: 42 }, 'to'],
      [{ subject: '' }, 'subject'],
      [{ subject: 'x'.repeat(999) }, 'subject'],
      [{ body: undefined }, 'body'],
      [{ body_html: 3 }, 'body_html'],
      [{ to: Array.from({ length: 51 }, (_, i) => `u${i}@example.com`) }, 'to'],
      [{ app_id: undefined }, 'app_id'],
    ];
    for (const [change, field] of attempts) {
      const err = await rejection(service.actions.send!({ ...ok, ...change }, ctx));
      expect(err.code, JSON.stringify(change)).toBe(ErrorCode.VALIDATION_ERROR);
      expect(err.data).toEqual({ field });
    }
    expect(server.mailFroms).toBe(0);
  });

  it('answers UNKNOWN_APP for an app not configured and SMTP_ERROR for an app without smtp', async () => {
    service = createSmtpService({ config: writeSmtpConfig(smtpAt(2525)).config, logger: memoryLogger() });
    const unknown = await rejection(service.actions.send!({ ...ok, app_id: 'ghost' }, ctx));
    expect(unknown.code).toBe(ErrorCode.UNKNOWN_APP);
    const proto = await rejection(service.actions.send!({ ...ok, app_id: 'constructor' }, ctx));
    expect(proto.code).toBe(ErrorCode.UNKNOWN_APP);
    for (const action of ['send', 'send_template', 'send_bulk']) {
      const err = await rejection(service.actions[action]!({ ...ok, app_id: 'nosmtp' }, ctx));
      expect(err.code).toBe(ErrorCode.SMTP_ERROR);
      expect(err.message).toBe('no smtp configured for app');
    }
    expect(await service.health!()).toEqual({
      apps: {
        prokov: {
          transport: 'smtp',
          host: '127.0.0.1',
          port: 2525,
          tls: false,
          state: 'unknown',
          sent: 0,
          failed: 0,
        },
      },
    });
  });

  it('accepts plain, named and object addresses, and refuses the odd ones', () => {
    expect(parseAddress('to', 'a.b+tag@sub.example.co.uk')).toEqual({
      name: '',
      address: 'a.b+tag@sub.example.co.uk',
    });
    expect(parseAddress('to', 'Alice Martin <alice@example.com>')).toEqual({
      name: 'Alice Martin',
      address: 'alice@example.com',
    });
    expect(parseAddress('to', '"Martin, Alice" <alice@example.com>')).toEqual({
      name: 'Martin, Alice',
      address: 'alice@example.com',
    });
    expect(parseAddress('to', { address: 'x@xn--p1ai.xn--p1ai' })).toEqual({
      name: '',
      address: 'x@xn--p1ai.xn--p1ai',
    });
    for (const bad of [
      'a@b',
      '@example.com',
      'a@@example.com',
      'a..b@example.com',
      '.a@example.com',
      'a@-x.com',
      'a b@example.com',
      'a@example.c0m1',
      `${'x'.repeat(65)}@example.com`,
      'a@example.com>',
    ]) {
      expect(isValidAddress(bad), bad).toBe(false);
    }
    expect(() => parseAddress('to', 'A <b> <a@example.com>')).toThrow();
    expect(() => parseAddress('to', { name: 3, address: 'a@example.com' })).toThrow();
  });
});
