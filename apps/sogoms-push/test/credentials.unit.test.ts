// Device credentials in Mosquitto's dynamic security (credentials.ts): the roles a device client holds are the
// only thing between it and other users' events, so the exact commands are pinned — the user role bound to that
// user's topics, the role of the resources seen whole (only names usable as one topic level, named after its
// topics), the client's name that the sweep reads its expiry from — and the sweep deletes exactly the sogoms
// clients whose time is up. The Dynsec object is a fake that records commands: no broker.
import { describe, expect, it } from 'vitest';
import { createDeviceCredentials, seenRoleName, sweepExpired } from '../src/credentials.js';
import type { Dynsec } from '../src/dynsec.js';

interface Command {
  command: string;
  params: Record<string, unknown>;
}

/** A Dynsec that records commands; `answer` may return data or throw the plugin's error. */
function fakeDynsec(answer: (c: Command) => unknown = () => undefined) {
  const commands: Command[] = [];
  const dynsec = {
    command: async (command: string, params: Record<string, unknown>) => {
      const c = { command, params };
      commands.push(c);
      return answer(c);
    },
  } as unknown as Dynsec;
  return { dynsec, commands };
}

const aclFor = (...topics: string[]) =>
  topics.flatMap((topic) => [
    { acltype: 'subscribePattern', topic, allow: true },
    { acltype: 'publishClientReceive', topic, allow: true },
  ]);

// 1_700_000_000_001 ms: the name carries whole seconds, rounded up.
const EXPIRES = 1_700_000_000_001;
const BROKER = 'mqtts://devices.example.com:8883';

describe('createDeviceCredentials', () => {
  it('binds the client to the user’s topics and to every user’s events of the resources it sees whole', async () => {
    const { dynsec, commands } = fakeDynsec();
    const creds = await createDeviceCredentials(
      dynsec,
      BROKER,
      { app: 'demo', userId: 7, resources: ['tasks', 'projects', 'tasks'] },
      EXPIRES,
    );
    const seen = ['sogoms/demo/users/+/projects', 'sogoms/demo/users/+/tasks'];
    const seenRole = seenRoleName('demo', seen);
    expect(seenRole).toMatch(/^sogoms\.demo\.seen\.[0-9a-f]{16}$/);
    expect(commands.slice(0, 2)).toEqual([
      {
        command: 'createRole',
        params: { rolename: 'sogoms.demo.user.7', acls: aclFor('sogoms/demo/users/7/#') },
      },
      { command: 'createRole', params: { rolename: seenRole, acls: aclFor(...seen) } },
    ]);
    expect(commands[2]).toEqual({
      command: 'createClient',
      params: {
        username: creds.username,
        password: creds.password,
        roles: [{ rolename: 'sogoms.demo.user.7' }, { rolename: seenRole }],
      },
    });
    expect(commands).toHaveLength(3);
    expect(creds.username).toMatch(/^sogoms\.demo\.7\.1700000001\.[0-9a-f]{12}$/);
    expect(creds.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(creds).toEqual({
      broker: BROKER,
      username: creds.username,
      password: creds.password,
      topics: ['sogoms/demo/users/7/#', ...seen],
      expires_at: '2023-11-14T22:13:21.000Z',
    });
  });

  it('names the role after its topics: one set, one name, whatever the order; another set, another name', () => {
    const a = seenRoleName('demo', ['sogoms/demo/users/+/a', 'sogoms/demo/users/+/b']);
    expect(seenRoleName('demo', ['sogoms/demo/users/+/a', 'sogoms/demo/users/+/b'])).toBe(a);
    expect(seenRoleName('demo', ['sogoms/demo/users/+/a'])).not.toBe(a);
    expect(seenRoleName('demo', ['sogoms/demo/users/+/ab'])).not.toBe(
      seenRoleName('demo', ['sogoms/demo/users/+/a', 'b']),
    );
    expect(seenRoleName('other', ['sogoms/demo/users/+/a', 'sogoms/demo/users/+/b'])).not.toBe(a);
  });

  const notTopicLevels: [string, string][] = [
    ['a resource with a slash', 'a/b'],
    ['a single-level wildcard', '+'],
    ['a multi-level wildcard', '#'],
    ['an empty name', ''],
    ['a $-led name', '$SYS'],
  ];
  for (const [name, resource] of notTopicLevels)
    it(`gives ${name} no topic, only the user’s`, async () => {
      const { dynsec, commands } = fakeDynsec();
      const user = { app: 'demo', userId: 7, resources: [resource] };
      const creds = await createDeviceCredentials(dynsec, BROKER, user, EXPIRES);
      expect(creds.topics).toEqual(['sogoms/demo/users/7/#']);
      expect(commands.map((c) => c.command)).toEqual(['createRole', 'createClient']);
      expect(commands[1]?.params.roles).toEqual([{ rolename: 'sogoms.demo.user.7' }]);
    });

  it('a role that sees no resource whole gets the user’s topics only', async () => {
    const { dynsec, commands } = fakeDynsec();
    const creds = await createDeviceCredentials(
      dynsec,
      BROKER,
      { app: 'demo', userId: 7, resources: [] },
      EXPIRES,
    );
    expect(creds.topics).toEqual(['sogoms/demo/users/7/#']);
    expect(commands.map((c) => c.command)).toEqual(['createRole', 'createClient']);
  });

  it('two devices of one user get distinct names and passwords', async () => {
    const { dynsec } = fakeDynsec();
    const user = { app: 'demo', userId: 7, resources: [] };
    const a = await createDeviceCredentials(dynsec, BROKER, user, EXPIRES);
    const b = await createDeviceCredentials(dynsec, BROKER, user, EXPIRES);
    expect(a.username).not.toBe(b.username);
    expect(a.password).not.toBe(b.password);
  });

  it('an expiry on a whole second stays that second', async () => {
    const { dynsec } = fakeDynsec();
    const creds = await createDeviceCredentials(
      dynsec,
      BROKER,
      { app: 'demo', userId: 7, resources: [] },
      5_000,
    );
    expect(creds.username).toMatch(/^sogoms\.demo\.7\.5\./);
    expect(creds.expires_at).toBe('1970-01-01T00:00:05.000Z');
  });

  it('roles that already exist (another device of the user) are reused, whatever the case of the answer', async () => {
    const { dynsec, commands } = fakeDynsec((c) => {
      if (c.command === 'createRole')
        throw new Error(
          c.params.rolename === 'sogoms.demo.user.7' ? 'Role already exists' : 'ROLE ALREADY EXISTS',
        );
      return undefined;
    });
    await createDeviceCredentials(dynsec, BROKER, { app: 'demo', userId: 7, resources: ['tasks'] }, EXPIRES);
    expect(commands.map((c) => c.command)).toEqual(['createRole', 'createRole', 'createClient']);
  });

  it('any other refusal of a role stops before the client is made', async () => {
    for (const failing of ['sogoms.demo.user.7', seenRoleName('demo', ['sogoms/demo/users/+/tasks'])]) {
      const { dynsec, commands } = fakeDynsec((c) => {
        if (c.params.rolename === failing) throw new Error('Not authorised');
        return undefined;
      });
      await expect(
        createDeviceCredentials(dynsec, BROKER, { app: 'demo', userId: 7, resources: ['tasks'] }, EXPIRES),
      ).rejects.toThrow('Not authorised');
      expect(commands.map((c) => c.command)).not.toContain('createClient');
    }
  });
});

describe('sweepExpired', () => {
  const NOW = 1_700_000_000_000; // 1_700_000_000 s
  const sweep = async (data: unknown) => {
    const { dynsec, commands } = fakeDynsec((c) => (c.command === 'listClients' ? data : undefined));
    const deleted = await sweepExpired(dynsec, NOW);
    return { deleted, commands };
  };
  const deletedNames = (commands: Command[]) =>
    commands.filter((c) => c.command === 'deleteClient').map((c) => c.params.username);

  it('lists every client, then deletes the sogoms clients whose second has come, and counts them', async () => {
    const { deleted, commands } = await sweep({
      clients: [
        'sogoms.demo.7.1699999999.ab12',
        { username: 'sogoms.demo.1234.1700000000.cd34' },
        'sogoms.demo.7.1700000001.ef56',
        { username: 'sogoms.other_app-2.8.1.0' },
      ],
    });
    expect(commands[0]).toEqual({ command: 'listClients', params: { verbose: false, count: -1, offset: 0 } });
    expect(deletedNames(commands)).toEqual([
      'sogoms.demo.7.1699999999.ab12',
      'sogoms.demo.1234.1700000000.cd34',
      'sogoms.other_app-2.8.1.0',
    ]);
    expect(commands.filter((c) => c.command === 'deleteClient').map((c) => Object.keys(c.params))).toEqual([
      ['username'],
      ['username'],
      ['username'],
    ]);
    expect(deleted).toBe(3);
  });

  const kept: [string, unknown][] = [
    ['the platform’s own account', 'platform'],
    ['a name with a prefix before sogoms', 'x-sogoms.demo.7.1.ab'],
    ['a name with a suffix', 'sogoms.demo.7.1.ab!'],
    ['a name whose random part is not hex', 'sogoms.demo.7.1.xyz'],
    ['a name without random part', 'sogoms.demo.7.1'],
    ['an app name with a dot', 'sogoms.de.mo.7.1.ab'],
    ['a user id that is not a number', 'sogoms.demo.x.1.ab'],
    ['an expiry that is not a number', 'sogoms.demo.7.soon.ab'],
    ['an empty app name', 'sogoms..7.1.ab'],
    ['a client object without username', { textname: 'sogoms.demo.7.1.ab' }],
    ['an empty name', ''],
  ];
  for (const [name, client] of kept)
    it(`leaves alone ${name}`, async () => {
      const { deleted, commands } = await sweep({ clients: [client] });
      expect(deletedNames(commands)).toEqual([]);
      expect(deleted).toBe(0);
    });

  const empty: [string, unknown][] = [
    ['no data', undefined],
    ['data without clients', {}],
    ['no clients', { clients: [] }],
  ];
  for (const [name, data] of empty)
    it(`deletes nothing with ${name}`, async () => {
      const { deleted, commands } = await sweep(data);
      expect(commands).toHaveLength(1);
      expect(deleted).toBe(0);
    });
});
