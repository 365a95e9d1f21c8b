// The built bin/sogoms-smtp as sogoctl runs it, with the dev setup's file transport: health, send_template to
// an .eml file, SIGTERM exits 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { callOnce } from '@sogoms/protocol';
import { simpleParser } from 'mailparser';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, tempDir, writeSmtpConfig } from './helpers.js';

let bin = '';
const children: ChildProcess[] = [];
beforeAll(() => {
  bin = ensureBuilt('sogoms-smtp');
});
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('bin/sogoms-smtp', () => {
  it('answers health with each app transport, sends a template to an .eml file, and exits 0 on SIGTERM', async () => {
    const { dir } = writeSmtpConfig(
      ['transport: file', 'dir: var/mail', 'from: noreply@prokov.test', 'from_name: Prokov'],
      {
        welcome:
          'subject: "Bienvenue {{.Name}} !"\nbody: "Bonjour {{.Name}}"\nbody_html: "<h1>{{.Name}}</h1>"\n',
      },
    );
    const socket = join(tempDir(), 'sogoms-smtp.1.sock');
    const child = spawn(bin, ['-config', dir, '-socket', socket], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d));
    child.stderr!.on('data', (d: Buffer) => (output += d));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );

    let health: Record<string, unknown> | undefined;
    for (let i = 0; !health; i++) {
      if (child.exitCode !== null) throw new Error(`sogoms-smtp exited at start: ${output}`);
      health = (await callOnce(socket, 'health', {}, 1_000).catch(() => undefined)) as
        | Record<string, unknown>
        | undefined;
      if (!health && i > 200) throw new Error(`sogoms-smtp did not answer health:\n${output}`);
      if (!health) await new Promise((r) => setTimeout(r, 50));
    }
    const mailDir = join(dir, 'var', 'mail');
    expect(health).toMatchObject({
      status: 'ok',
      service: 'sogoms-smtp',
      apps: { prokov: { transport: 'file', dir: mailDir, state: 'unknown' } },
    });

    const result = (await callOnce(socket, 'send_template', {
      app_id: 'prokov',
      to: 'bob@example.com',
      template: 'welcome',
      data: { Name: 'Bob <3' },
    })) as { message_id: string; accepted: string[] };
    expect(result.accepted).toEqual(['bob@example.com']);
    const files = readdirSync(mailDir);
    expect(files).toHaveLength(1);
    const mail = await simpleParser(readFileSync(join(mailDir, files[0]!)));
    expect(mail.messageId).toBe(result.message_id);
    expect(mail.subject).toBe('Bienvenue Bob <3 !');
    expect(mail.html).toBe('<h1>Bob &lt;3</h1>');

    const err = await callOnce(socket, 'send_template', {
      app_id: 'prokov',
      to: 'bob@example.com',
      template: 'welcome',
    }).catch((e: unknown) => e as { code: string });
    expect(err).toMatchObject({ code: 'TEMPLATE_ERROR' });
    expect(readdirSync(mailDir)).toHaveLength(1);

    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
