// Who receives a change (push/changes.ts, push/hub.ts): the row owner's topic, the roles whose read filter of the
// resource is empty (the CRUD's own role filters: the resources their devices may read whole), the owner lookup
// before an update or delete, and which SSE stream of this gateway gets which MQTT message. A leak here shows one
// user's rows to another, so every routing decision has a row. MQTT.js is replaced by a recording fake: no broker,
// no socket.
import type { TokenClaims } from '@sogoms/auth';
import type { AppConfig, PlatformConfig, PushSettings, ResourceQueries } from '@sogoms/config';
import { ErrorCode, SogomsError } from '@sogoms/protocol';
import { BrokerLinks, type PushEvent } from '@sogoms/push';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GatewayCore, RequestContext } from '../src/core.js';
import {
  type Change,
  ownerOf,
  pushChange,
  pushEnabled,
  readFilters,
  resourcesSeenWhole,
  seesAll,
} from '../src/push/changes.js';
import { RealtimeHub, type RealtimeStream } from '../src/push/hub.js';

// ---- a recording MQTT.js -------------------------------------------------------------------------------------

const mqttFake = vi.hoisted(() => {
  type Handler = (...args: unknown[]) => void;
  class FakeClient {
    connected = false;
    readonly subscriptions: { filter: string; options: unknown }[] = [];
    /** The error the broker answers the next subscriptions with. */
    subscribeError: Error | undefined;
    endFails = false;
    readonly ended: boolean[] = [];
    private readonly handlers = new Map<string, Handler[]>();
    constructor(
      readonly url: string,
      readonly options: Record<string, unknown>,
    ) {}
    on(event: string, handler: Handler): this {
      this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
      return this;
    }
    emit(event: string, ...args: unknown[]): void {
      for (const h of this.handlers.get(event) ?? []) h(...args);
    }
    /** When set, the broker's answers to subscriptions wait here until the test gives them. */
    heldAnswers: ((err: Error | null) => void)[] | undefined;
    subscribe(filter: string, options: unknown, done: (err: Error | null) => void): void {
      this.subscriptions.push({ filter, options });
      if (this.heldAnswers) this.heldAnswers.push(done);
      else done(this.subscribeError ?? null);
    }
    readonly unsubscriptions: string[] = [];
    unsubscribe(filter: string): void {
      this.unsubscriptions.push(filter);
    }
    endAsync(force: boolean): Promise<void> {
      this.ended.push(force);
      return this.endFails ? Promise.reject(new Error('already closed')) : Promise.resolve();
    }
  }
  const clients: FakeClient[] = [];
  return {
    clients,
    connect: (url: string, options: Record<string, unknown>) => {
      const client = new FakeClient(url, options);
      clients.push(client);
      return client;
    },
  };
});
vi.mock('mqtt', () => ({ default: { connect: mqttFake.connect } }));

afterEach(() => {
  mqttFake.clients.length = 0;
  vi.restoreAllMocks();
});

// ---- configuration -------------------------------------------------------------------------------------------

type Filters = Record<string, string>;

/** A resource whose read filters sit in `show` (or `list`). */
function resource(name: string, filters: Filters | undefined, where: 'show' | 'list' = 'show') {
  const read = filters === undefined ? {} : { [where]: { query: `SELECT * FROM ${name}`, filters } };
  return { name, ownerField: 'user_id', ...read } as unknown as ResourceQueries;
}

const PUSH: PushSettings = {
  enabled: true,
  broker: 'mqtt://platform:s3cret@broker.test:1883',
  deviceBroker: 'mqtts://broker.test:8883',
  username: 'platform',
  password: 's3cret',
  rows: ['notes'],
  credentials: 'none',
  credentialsTtlMs: 86_400_000,
};

function app(name: string, resources: ResourceQueries[], push: PushSettings | null = PUSH): AppConfig {
  return {
    app: name,
    ...(push ? { push } : {}),
    resources: Object.fromEntries(resources.map((r) => [r.name, r])),
  } as unknown as AppConfig;
}

// tasks: admins and auditors see every row, users their own; notes: only their own for everyone.
const TASKS = resource('tasks', {
  default: 'user_id = :user_id',
  admin: '',
  auditor: '  ',
  manager: 'team_id = :team_id',
});
const NOTES = resource('notes', { default: 'user_id = :user_id' });
const DEMO = app('demo', [TASKS, NOTES]);

// ---- changes.ts ----------------------------------------------------------------------------------------------

describe('pushEnabled', () => {
  const cases: [string, PushSettings | null, boolean][] = [
    ['no push section', null, false],
    ['push: enabled: false', { ...PUSH, enabled: false }, false],
    ['push on', PUSH, true],
  ];
  for (const [name, push, expected] of cases)
    it(name, () => {
      expect(pushEnabled(app('demo', [], push))).toBe(expected);
    });
});

describe('readFilters: show’s filters decide, else list’s', () => {
  const both = {
    ...resource('x', { default: 'a' }, 'list'),
    show: { filters: { default: 'b' } },
  } as unknown as ResourceQueries;
  const cases: [string, ResourceQueries | undefined, Filters | undefined][] = [
    ['show over list', both, { default: 'b' }],
    ['list alone', resource('x', { default: 'a' }, 'list'), { default: 'a' }],
    ['no read query', resource('x', undefined), undefined],
    ['no resource', undefined, undefined],
  ];
  for (const [name, queries, expected] of cases)
    it(name, () => {
      expect(readFilters(queries)).toEqual(expected);
    });
});

describe('resourcesSeenWhole: the resources whose every row a role sees (its devices read them whole)', () => {
  const LISTED = resource('listed', { default: 'u = 1', boss: '' }, 'list');
  const OPEN = resource('open', {});
  const NONE = resource('none', undefined);
  const demo = app('demo', [TASKS, NOTES, LISTED, OPEN, NONE]);
  const cases: [string, string, string[]][] = [
    ['empty and blank filters count', 'admin', ['tasks', 'open']],
    ['blank counts as empty', 'auditor', ['tasks', 'open']],
    ['a role with its own non-empty filter sees only what has no filter', 'manager', ['open']],
    ['a role falling back to an owner-only default', 'user', ['open']],
    ['from list when there is no show', 'boss', ['listed', 'open']],
  ];
  for (const [name, role, expected] of cases)
    it(name, () => {
      expect(resourcesSeenWhole(demo, role).sort()).toEqual([...expected].sort());
    });

  it('a resource without read queries is never seen whole', () => {
    expect(resourcesSeenWhole(app('demo', [NONE]), 'admin')).toEqual([]);
  });
});

describe('seesAll: whether a role’s own filter (else default) shows every row', () => {
  const cases: [string, ResourceQueries | undefined, string, boolean][] = [
    ['a role with an empty filter', TASKS, 'admin', true],
    ['a role with a blank filter', TASKS, 'auditor', true],
    ['a role with its own condition', TASKS, 'manager', false],
    ['a role without entry falls to an owner-only default', TASKS, 'user', false],
    ['a role without entry falls to an empty default', resource('x', { default: ' ' }), 'user', true],
    ['an empty mapping filters nothing', resource('x', {}), 'user', true],
    ['a mapping without default refuses other roles', resource('x', { admin: '' }), 'user', false],
    ['a resource without read queries', resource('x', undefined), 'admin', false],
    ['no resource', undefined, 'admin', false],
  ];
  for (const [name, queries, role, expected] of cases)
    it(name, () => {
      expect(seesAll(queries, role)).toBe(expected);
    });
});

interface DbCall {
  app: string;
  action: string;
  params: Record<string, unknown>;
}

function fakeCore(answer: (call: DbCall) => unknown = () => null, now = Date.UTC(2026, 1, 3, 4, 5, 6, 789)) {
  const calls: DbCall[] = [];
  const sent: PushEvent[] = [];
  const core = {
    now: () => now,
    db: async (ctx: RequestContext, action: string, params: Record<string, unknown>) => {
      const call = { app: ctx.app.app, action, params };
      calls.push(call);
      return answer(call);
    },
    push: { send: (_push: PushSettings, event: PushEvent) => sent.push(event) },
  } as unknown as GatewayCore;
  return { core, calls, sent };
}

const ctxOf = (config: AppConfig): RequestContext => ({ app: config, requestId: 'r1', ip: '10.0.0.1' });
const CLAIMS = { sub: 7, email: 'a@x.test', name: 'A', app: 'demo', role: 'admin' } as TokenClaims;

describe('ownerOf: the owner of the row before an update or delete', () => {
  const own: [string, string, string][] = [
    ['the plain owner filter', 'user_id', 'user_id = :user_id'],
    ['backquoted, no spaces', 'user_id', '`user_id`=:user_id'],
    ['surrounded by spaces', 'owner', '  owner  =  :user_id  '],
  ];
  for (const [name, field, sql] of own)
    it(`is the caller, without a query, for ${name}`, () => {
      const f = fakeCore();
      expect(ownerOf(f.core, ctxOf(DEMO), { ownerField: field }, 'tasks', { sql }, CLAIMS, 3)).toBe(7);
      expect(f.calls).toEqual([]);
    });

  it('is the caller when the app has push off (nobody is told anyway)', () => {
    const f = fakeCore();
    const off = app('demo', [], null);
    expect(ownerOf(f.core, ctxOf(off), { ownerField: 'user_id' }, 'tasks', { sql: '' }, CLAIMS, 3)).toBe(7);
    expect(f.calls).toEqual([]);
  });

  const lookedUp: [string, string][] = [
    ['an empty filter (the role sees every row)', ''],
    ['another condition', 'team_id = :team_id'],
    ['the owner condition and more', 'user_id = :user_id AND done = 0'],
    ['the owner condition after another', 'done = 0 AND user_id = :user_id'],
    ['another column ending in the owner’s name', 'x_user_id = :user_id'],
    ['another placeholder', 'user_id = :user_ids'],
  ];
  for (const [name, sql] of lookedUp)
    it(`is read from the row for ${name}`, async () => {
      const f = fakeCore(() => ({ owner: 12 }));
      const owner = ownerOf(f.core, ctxOf(DEMO), { ownerField: 'user_id' }, 'tasks', { sql }, CLAIMS, 3);
      expect(owner).toBeInstanceOf(Promise);
      expect(await owner).toBe(12);
      expect(f.calls).toEqual([
        {
          app: 'demo',
          action: 'query_one',
          params: { query: 'SELECT `user_id` AS owner FROM `tasks` WHERE `id` = ?', args: [3] },
        },
      ]);
    });

  const answers: [string, () => unknown, number | undefined][] = [
    ['an owner id', () => ({ owner: 0 }), 0],
    ['no row (gone meanwhile)', () => null, undefined],
    ['an owner that is a string', () => ({ owner: '12' }), undefined],
    ['an owner that is not an integer', () => ({ owner: 1.5 }), undefined],
    ['an owner past 2^53', () => ({ owner: 2 ** 53 }), undefined],
    [
      'a failed query',
      () => {
        throw new SogomsError(ErrorCode.DB_ERROR, 'gone');
      },
      undefined,
    ],
  ];
  for (const [name, answer, expected] of answers)
    it(`a lookup answering ${name} gives ${String(expected)}, never a rejection`, async () => {
      const f = fakeCore(answer);
      expect(await ownerOf(f.core, ctxOf(DEMO), { ownerField: 'uid' }, 'tasks', { sql: '' }, CLAIMS, 3)).toBe(
        expected,
      );
    });

  const badNames: [string, string, string][] = [
    ['an owner field with a dash', 'user-id', 'tasks'],
    ['an owner field led by a digit', '1user', 'tasks'],
    ['an owner field with a trailing quote', 'user_id`', 'tasks'],
    ['an owner field with a leading space', ' user_id', 'tasks'],
    ['a table with a space', 'user_id', 'my tasks'],
    ['a table led by a digit', 'user_id', '9tasks'],
    ['a table with a trailing semicolon', 'user_id', 'tasks;'],
    ['a table with a leading quote', 'user_id', '`tasks'],
  ];
  for (const [name, field, table] of badNames)
    it(`gives no owner, without a query, for ${name}`, async () => {
      const f = fakeCore(() => ({ owner: 12 }));
      expect(await ownerOf(f.core, ctxOf(DEMO), { ownerField: field }, table, { sql: '' }, CLAIMS, 3)).toBe(
        undefined,
      );
      expect(f.calls).toEqual([]);
    });

  it('accepts identifiers with underscores, digits and capitals', async () => {
    const f = fakeCore(() => ({ owner: 5 }));
    const owner = ownerOf(f.core, ctxOf(DEMO), { ownerField: '_Owner2' }, 'Task_9', { sql: '' }, CLAIMS, 3);
    expect(await owner).toBe(5);
    expect(f.calls[0]?.params.query).toBe('SELECT `_Owner2` AS owner FROM `Task_9` WHERE `id` = ?');
  });
});

describe('pushChange: the event published', () => {
  const AT = '2026-02-03T04:05:06.789Z';
  const base = (over: Partial<Change> = {}): Change => ({
    resource: { name: 'tasks', ownerField: 'user_id' },
    action: 'update',
    id: 3,
    owner: 12,
    ...over,
  });

  it('goes to the owner, one event whoever else sees the row', () => {
    const f = fakeCore();
    pushChange(f.core, ctxOf(DEMO), base({ columns: ['title'], values: ['x'] }));
    expect(f.sent).toEqual([
      { app: 'demo', resource: 'tasks', action: 'update', id: 3, user_id: 12, at: AT },
    ]);
  });

  it('carries the written row for resources listed in push.rows', () => {
    const f = fakeCore();
    const change = base({ resource: { name: 'notes', ownerField: 'user_id' }, action: 'create' });
    pushChange(f.core, ctxOf(DEMO), { ...change, columns: ['title', 'done'], values: ['hi', false] });
    expect(f.sent).toEqual([
      {
        app: 'demo',
        resource: 'notes',
        action: 'create',
        id: 3,
        user_id: 12,
        at: AT,
        row: { id: 3, title: 'hi', done: false },
      },
    ]);
  });

  const noRow: [string, Partial<Change>][] = [
    ['without columns (a delete)', { values: ['hi'] }],
    ['without values', { columns: ['title'] }],
  ];
  for (const [name, over] of noRow)
    it(`sends no row ${name}`, () => {
      const f = fakeCore();
      pushChange(f.core, ctxOf(DEMO), base({ resource: { name: 'notes', ownerField: 'user_id' }, ...over }));
      expect(f.sent).toHaveLength(1);
      expect(f.sent[0]).not.toHaveProperty('row');
    });

  it('sends no row for a resource not in push.rows', () => {
    const f = fakeCore();
    pushChange(f.core, ctxOf(DEMO), base({ columns: ['title'], values: ['secret'] }));
    expect(f.sent[0]).not.toHaveProperty('row');
  });

  it('a resource unknown to the app goes to its owner only', () => {
    const f = fakeCore();
    pushChange(f.core, ctxOf(DEMO), base({ resource: { name: 'ghosts', ownerField: 'user_id' } }));
    expect(f.sent).toEqual([
      { app: 'demo', resource: 'ghosts', action: 'update', id: 3, user_id: 12, at: AT },
    ]);
  });

  it('waits for an owner lookup, and sends nothing when the owner is unknown', async () => {
    const f = fakeCore();
    pushChange(f.core, ctxOf(DEMO), base({ owner: Promise.resolve(21) }));
    pushChange(f.core, ctxOf(DEMO), base({ owner: Promise.resolve(undefined) }));
    pushChange(f.core, ctxOf(DEMO), base({ owner: undefined }));
    expect(f.sent).toEqual([]);
    await Promise.resolve();
    expect(f.sent.map((e) => e.user_id)).toEqual([21]);
  });

  const off: [string, PushSettings | null][] = [
    ['no push section', null],
    ['push disabled', { ...PUSH, enabled: false }],
  ];
  for (const [name, push] of off)
    it(`sends nothing with ${name}`, async () => {
      const f = fakeCore();
      pushChange(f.core, ctxOf(app('demo', [TASKS], push)), base());
      pushChange(f.core, ctxOf(app('demo', [TASKS], push)), base({ owner: Promise.resolve(12) }));
      await Promise.resolve();
      expect(f.sent).toEqual([]);
    });
});

// ---- hub.ts --------------------------------------------------------------------------------------------------

interface TestStream extends RealtimeStream {
  got: string[];
  endedWith: string[];
}

function stream(app: string, userId: number, role: string, resources?: string[]): TestStream {
  const s: TestStream = {
    app,
    userId,
    role,
    resources: resources === undefined ? undefined : new Set(resources),
    got: [],
    endedWith: [],
    send: (payload) => s.got.push(payload),
    end: (reason) => s.endedWith.push(reason),
  };
  return s;
}

const PLATFORM = { root: '/config', apps: { demo: DEMO } } as unknown as PlatformConfig;

function hubWith(config: PlatformConfig = PLATFORM) {
  const warnings: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
  const logger = {
    info: () => undefined,
    warn: (obj: Record<string, unknown>, msg?: string) => warnings.push({ obj, msg }),
    error: () => undefined,
  };
  const quiet = { info: () => undefined, warn: () => undefined };
  const links = new BrokerLinks({ processName: 'sogoway', logger: quiet });
  return { hub: new RealtimeHub(() => config, links, logger), links, warnings };
}

const msg = (topic: string, text = '{"id":1}') => [topic, Buffer.from(text, 'utf8')] as const;

describe('RealtimeHub.deliver: which streams get an event', () => {
  it('the owner’s streams get it; other users whose role filter is not empty do not', () => {
    const { hub } = hubWith();
    const owner = stream('demo', 12, 'user');
    const ownerPhone = stream('demo', 12, 'user');
    const other = stream('demo', 13, 'user');
    const manager = stream('demo', 14, 'manager');
    for (const s of [owner, ownerPhone, other, manager]) hub.add(PUSH, s);
    hub.deliver(...msg('sogoms/demo/users/12/tasks', '{"title":"été"}'));
    expect(owner.got).toEqual(['{"title":"été"}']);
    expect(ownerPhone.got).toEqual(['{"title":"été"}']);
    expect(other.got).toEqual([]);
    expect(manager.got).toEqual([]);
  });

  it('streams of roles that see every row of the resource get other users’ events, once', () => {
    const { hub } = hubWith();
    const admin = stream('demo', 1, 'admin');
    const auditor = stream('demo', 2, 'auditor');
    const ownerAdmin = stream('demo', 12, 'admin');
    for (const s of [admin, auditor, ownerAdmin]) hub.add(PUSH, s);
    hub.deliver(...msg('sogoms/demo/users/12/tasks'));
    expect([admin.got, auditor.got, ownerAdmin.got]).toEqual([['{"id":1}'], ['{"id":1}'], ['{"id":1}']]);
    // notes are owner-only for every role.
    hub.deliver(...msg('sogoms/demo/users/12/notes'));
    expect([admin.got.length, auditor.got.length, ownerAdmin.got.length]).toEqual([1, 1, 2]);
  });

  it('?resources= narrows both the owner’s and the role streams', () => {
    const { hub } = hubWith();
    const ownerNotes = stream('demo', 12, 'user', ['notes']);
    const adminNotes = stream('demo', 1, 'admin', ['notes']);
    const adminTasks = stream('demo', 2, 'admin', ['tasks']);
    for (const s of [ownerNotes, adminNotes, adminTasks]) hub.add(PUSH, s);
    hub.deliver(...msg('sogoms/demo/users/12/tasks'));
    expect([ownerNotes.got, adminNotes.got, adminTasks.got]).toEqual([[], [], ['{"id":1}']]);
    hub.deliver(...msg('sogoms/demo/users/12/notes'));
    expect([ownerNotes.got.length, adminNotes.got.length]).toEqual([1, 0]);
  });

  it('streams of another app get nothing, whatever their user id or role', () => {
    const { hub } = hubWith({
      root: '/config',
      apps: { demo: DEMO, other: app('other', [resource('tasks', { default: '' })]) },
    } as unknown as PlatformConfig);
    const same = stream('other', 12, 'admin');
    hub.add(PUSH, same);
    hub.deliver(...msg('sogoms/demo/users/12/tasks'));
    expect(same.got).toEqual([]);
  });

  it('an app gone from the configuration still reaches its owners, and no role', () => {
    const { hub } = hubWith();
    const owner = stream('ghost', 12, 'user');
    const admin = stream('ghost', 1, 'admin');
    hub.add(PUSH, owner);
    hub.add(PUSH, admin);
    hub.deliver(...msg('sogoms/ghost/users/12/tasks'));
    expect([owner.got.length, admin.got.length]).toEqual([1, 0]);
  });

  const ignored: [string, string][] = [
    ['a topic outside users/ (a former role topic)', 'sogoms/demo/roles/12/tasks'],
    ['another root', 'other/demo/users/12/tasks'],
    ['too few levels', 'sogoms/demo/users/12'],
    ['too many levels', 'sogoms/demo/users/12/tasks/x'],
    ['an app without streams', 'sogoms/nobody/users/12/tasks'],
  ];
  for (const [name, topic] of ignored)
    it(`ignores ${name}`, () => {
      const { hub } = hubWith();
      const owner = stream('demo', 12, 'admin');
      hub.add(PUSH, owner);
      hub.deliver(...msg(topic));
      expect(owner.got).toEqual([]);
    });

  it('a removed stream gets nothing more; removing twice counts once', () => {
    const { hub } = hubWith();
    const a = stream('demo', 12, 'admin');
    const b = stream('demo', 12, 'admin');
    const removeA = hub.add(PUSH, a);
    const removeB = hub.add(PUSH, b);
    expect(hub.streamsOf('demo', 12)).toBe(2);
    removeA();
    expect(hub.stats().streams).toBe(1);
    removeA();
    expect(hub.streamsOf('demo', 12)).toBe(1);
    expect(hub.stats().streams).toBe(1);
    hub.deliver(...msg('sogoms/demo/users/12/tasks'));
    hub.deliver(...msg('sogoms/demo/users/13/tasks'));
    expect([a.got.length, b.got.length]).toEqual([0, 2]);
    // The user's last stream: its entries go, and a second removal finds nothing to remove.
    removeB();
    removeB();
    expect(hub.stats().streams).toBe(0);
    expect(hub.streamsOf('demo', 12)).toBe(0);
  });

  it('streamsOf counts per app and user, 0 for unknown ones', () => {
    const { hub } = hubWith();
    hub.add(PUSH, stream('demo', 12, 'user'));
    expect([hub.streamsOf('demo', 12), hub.streamsOf('demo', 13), hub.streamsOf('other', 12)]).toEqual([
      1, 0, 0,
    ]);
  });
});

describe('RealtimeHub: the MQTT side', () => {
  it('one connection per broker and account, subscribed once per app to its user topics', () => {
    const { hub } = hubWith();
    hub.add(PUSH, stream('demo', 1, 'user'));
    hub.add(PUSH, stream('demo', 2, 'user'));
    hub.add({ ...PUSH }, stream('other', 1, 'user'));
    hub.add({ ...PUSH, username: 'second' }, stream('demo', 3, 'user'));
    expect(mqttFake.clients).toHaveLength(2);
    const [first, second] = mqttFake.clients;
    expect(first!.url).toBe(PUSH.broker);
    expect(first!.options).toMatchObject({ username: 'platform', password: 's3cret', resubscribe: true });
    expect(String(first!.options.clientId)).toMatch(/^sogoway-[0-9a-f]{12}$/);
    expect(second!.options).toMatchObject({ username: 'second' });
    expect(first!.subscriptions).toEqual([
      { filter: 'sogoms/demo/users/+/+', options: { qos: 0 } },
      { filter: 'sogoms/other/users/+/+', options: { qos: 0 } },
    ]);
    expect(second!.subscriptions).toEqual([{ filter: 'sogoms/demo/users/+/+', options: { qos: 0 } }]);
    // demo moved to the second account: read there only.
    expect(first!.unsubscriptions).toEqual(['sogoms/demo/users/+/+']);
    first!.connected = true;
    expect(hub.stats()).toEqual({
      streams: 4,
      brokers: [
        { broker: 'mqtt://broker.test:1883', connected: true },
        { broker: 'mqtt://broker.test:1883', connected: false },
      ],
    });
  });

  it('an app moved to another broker account is read from the new link only: never twice', () => {
    const { hub } = hubWith();
    const owner = stream('demo', 12, 'user');
    hub.add(PUSH, owner);
    hub.add({ ...PUSH, username: 'rotated' }, stream('demo', 13, 'user'));
    const [old, current] = mqttFake.clients;
    old!.emit('message', ...msg('sogoms/demo/users/12/tasks', 'old'));
    current!.emit('message', ...msg('sogoms/demo/users/12/tasks', 'new'));
    expect(owner.got).toEqual(['new']);
    // Back to the first account: it subscribes there again.
    hub.add(PUSH, stream('demo', 14, 'user'));
    expect(old!.subscriptions.map((x) => x.filter)).toEqual([
      'sogoms/demo/users/+/+',
      'sogoms/demo/users/+/+',
    ]);
    expect(current!.unsubscriptions).toEqual(['sogoms/demo/users/+/+']);
  });

  it('two apps on one link: each message reaches its stream once', () => {
    const { hub } = hubWith();
    const demo = stream('demo', 12, 'user');
    const other = stream('other', 12, 'user');
    hub.add(PUSH, demo);
    hub.add(PUSH, other);
    expect(mqttFake.clients).toHaveLength(1);
    mqttFake.clients[0]!.emit('message', ...msg('sogoms/demo/users/12/tasks'));
    mqttFake.clients[0]!.emit('message', ...msg('sogoms/other/users/12/tasks'));
    expect([demo.got.length, other.got.length]).toEqual([1, 1]);
  });

  it('a late refusal from the link an app left does not unsubscribe it from its new link', () => {
    const { hub } = hubWith();
    hub.add(PUSH, stream('demo', 1, 'user'));
    const old = mqttFake.clients[0]!;
    old.heldAnswers = [];
    hub.add(PUSH, stream('other', 1, 'user')); // its answer waits
    const owner = stream('other', 12, 'user');
    hub.add({ ...PUSH, username: 'rotated' }, owner); // other moves to a new link
    old.heldAnswers[0]!(new Error('not authorised'));
    mqttFake.clients[1]!.emit('message', ...msg('sogoms/other/users/12/tasks'));
    expect(owner.got).toEqual(['{"id":1}']);
  });

  it('a stream added after close is ended at once, and subscribes to nothing', () => {
    const { hub } = hubWith();
    hub.close();
    const late = stream('demo', 12, 'user');
    const remove = hub.add(PUSH, late);
    expect(late.endedWith).toEqual(['shutting down']);
    expect(mqttFake.clients).toHaveLength(0);
    expect(hub.stats().streams).toBe(0);
    remove();
  });

  it('messages from the broker are delivered to the streams', () => {
    const { hub } = hubWith();
    const owner = stream('demo', 12, 'user');
    hub.add(PUSH, owner);
    mqttFake.clients[0]!.emit('message', ...msg('sogoms/demo/users/12/tasks'));
    expect(owner.got).toEqual(['{"id":1}']);
  });

  it('a refused subscription is warned about, and asked again by the next stream of that app', () => {
    const { hub, warnings } = hubWith();
    hub.add(PUSH, stream('demo', 1, 'user'));
    const client = mqttFake.clients[0]!;
    hub.add(PUSH, stream('demo', 2, 'user')); // already subscribed: nothing sent
    client.subscribeError = new Error('not authorised');
    hub.add(PUSH, stream('other', 2, 'user')); // refused
    client.subscribeError = undefined;
    hub.add(PUSH, stream('other', 3, 'user')); // asked again
    hub.add(PUSH, stream('other', 4, 'user')); // subscribed now
    expect(client.subscriptions.map((s) => s.filter)).toEqual([
      'sogoms/demo/users/+/+',
      'sogoms/other/users/+/+',
      'sogoms/other/users/+/+',
    ]);
    expect(warnings).toEqual([
      {
        obj: { broker: 'mqtt://broker.test:1883', err: 'cannot subscribe: not authorised' },
        msg: 'realtime: MQTT broker problem, streams wait',
      },
    ]);
  });

  it('broker errors and losses are warned about at most once per 10 s, clipped to 200 characters', () => {
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const { hub, warnings } = hubWith();
    hub.add(PUSH, stream('demo', 1, 'user'));
    const client = mqttFake.clients[0]!;
    client.emit('error', new Error('x'.repeat(300)));
    now += 9_999;
    client.emit('offline');
    now += 1;
    client.emit('offline');
    expect(warnings).toEqual([
      {
        obj: { broker: 'mqtt://broker.test:1883', err: 'x'.repeat(200) },
        msg: 'realtime: MQTT broker problem, streams wait',
      },
      {
        obj: { broker: 'mqtt://broker.test:1883', err: 'unreachable' },
        msg: 'realtime: MQTT broker problem, streams wait',
      },
    ]);
  });

  it('close ends every stream and forgets them; the links close after (a failing close is ignored)', async () => {
    const { hub, links } = hubWith();
    const a = stream('demo', 1, 'user');
    const b = stream('demo', 1, 'admin');
    const c = stream('other', 2, 'user');
    hub.add(PUSH, a);
    hub.add(PUSH, b);
    hub.add({ ...PUSH, username: 'second' }, c);
    mqttFake.clients[1]!.endFails = true;
    hub.close();
    expect([a.endedWith, b.endedWith, c.endedWith]).toEqual([
      ['shutting down'],
      ['shutting down'],
      ['shutting down'],
    ]);
    expect(mqttFake.clients.map((cl) => cl.ended)).toEqual([[], []]);
    await links.close();
    expect(mqttFake.clients.map((cl) => cl.ended)).toEqual([[false], [false]]);
    expect(hub.streamsOf('demo', 1)).toBe(0);
    expect(hub.stats().brokers).toEqual([]);
    hub.deliver(...msg('sogoms/demo/users/1/tasks'));
    expect(a.got).toEqual([]);
  });
});
