// Phase 14 sogoms-push, on the whole platform started by sogoctl (SQLite) with a real, private Mosquitto using
// the dynamic-security plugin: a user's changes reach that user's SSE stream and MQTT subscriber and nobody
// else's; a device's credentials cannot subscribe outside its user's topics; a role whose filter shows every row
// (prokov's admin) sees every user's events of that resource, on SSE and on its devices, and nothing more; the
// broker stopped and started under load fails no HTTP request, and push resumes by itself.
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REALTIME_RECHECK_MS } from '../../apps/sogoway/src/push/realtime-routes.js';
import { BROKER_ADMIN, mosquittoAvailable, startBroker, type TestBroker } from '../helpers/mosquitto.js';
import { HOST, type Platform, startPlatform, waitFor } from '../helpers/platform.js';
import { openSse, type SseStream } from '../helpers/sse.js';

const PASSWORD = 'correct-horse';

interface User {
  id: number;
  token: string;
}

interface Credentials {
  broker: string;
  username: string;
  password: string;
  topics: string[];
  expires_at: string;
}

/** An MQTT client that records each message it receives as [topic, parsed payload]. */
async function mqttClient(url: string, creds: { username: string; password: string }) {
  const client = await mqtt.connectAsync(url, { ...creds, reconnectPeriod: 200, connectTimeout: 5_000 });
  const messages: [string, Record<string, unknown>][] = [];
  client.on('message', (topic, payload) => messages.push([topic, JSON.parse(payload.toString())]));
  return { client, messages };
}

describe.runIf(mosquittoAvailable())('sogoms-push: real Mosquitto, real processes', () => {
  let broker: TestBroker;
  let p: Platform;
  const clients: MqttClient[] = [];
  const streams: SseStream[] = [];

  const register = async (email: string): Promise<User> => {
    const res = await p.request('POST', '/api/auth/register', {
      body: { email, password: PASSWORD, name: 'U' },
    });
    expect(res.status).toBe(201);
    const data = res.body.data as { token: string; user: { id: number } };
    return { id: data.user.id, token: data.token };
  };
  /** Logs in, registering first when the address is new (each test may run alone). */
  const login = async (email: string): Promise<User> => {
    const res = await p.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    if (res.status === 401) return register(email);
    expect(res.status).toBe(200);
    const data = res.body.data as { token: string; user: { id: number } };
    return { id: data.user.id, token: data.token };
  };
  const sse = async (user: User, query = '') => {
    const s = await openSse(`${p.url}/api/realtime${query}`, {
      host: HOST,
      authorization: `Bearer ${user.token}`,
    });
    streams.push(s);
    expect(s.status).toBe(200);
    await s.next((e) => e.event === 'ready');
    return s;
  };
  const credentials = async (user: User): Promise<Credentials> => {
    const res = await p.request('POST', '/api/realtime/credentials', { token: user.token });
    expect(res.status).toBe(201);
    return res.body.data as Credentials;
  };
  const device = async (user: User) => {
    const creds = await credentials(user);
    const d = await mqttClient(creds.broker, creds);
    clients.push(d.client);
    const grants = await d.client.subscribeAsync(creds.topics, { qos: 0 });
    expect(grants.map((g) => g.qos)).toEqual(creds.topics.map(() => 0));
    return { ...d, creds };
  };
  const createTask = async (user: User, title: string) => {
    const res = await p.request('POST', '/api/tasks', { token: user.token, body: { title } });
    expect(res.status).toBe(201);
    return (res.body.data as { insert_id: number }).insert_id;
  };
  const isChange =
    (id: number, action = 'create') =>
    (e: { event: string; data: string }) =>
      e.event === 'change' &&
      (JSON.parse(e.data) as { id: number; action: string }).id === id &&
      (JSON.parse(e.data) as { action: string }).action === action;

  beforeAll(async () => {
    broker = await startBroker();
    p = await startPlatform({
      driver: 'sqlite',
      push: true,
      routesExtra: `smtp:
  transport: file
  dir: ../mail
  from: noreply@prokov.test
push:
  broker: ${broker.url}
  username: ${BROKER_ADMIN.username}
  password: ${BROKER_ADMIN.password}
  credentials: dynsec
  rows: [tasks]`,
    });
  }, 60_000);

  afterAll(async () => {
    for (const s of streams) s.close();
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await p?.stop();
    await broker?.close();
  });

  it("a create by user A reaches A's SSE stream and A's MQTT subscriber, never B's", async () => {
    const a = await login('push-a@example.com');
    const b = await login('push-b@example.com');
    const [sseA, sseB] = [await sse(a), await sse(b)];
    const [devA, devB] = [await device(a), await device(b)];
    expect(devA.creds.topics).toContain(`sogoms/prokov/users/${a.id}/#`);

    const id = await createTask(a, 'from A');
    const event = JSON.parse((await sseA.next(isChange(id))).data) as Record<string, unknown>;
    expect(event).toMatchObject({ app: 'prokov', resource: 'tasks', action: 'create', id, user_id: a.id });
    expect(typeof event.at).toBe('string');
    // push.rows lists tasks: the event carries the fields written, owner included.
    expect(event.row).toEqual({ id, title: 'from A', user_id: a.id });
    await waitFor(async () => devA.messages.some(([, m]) => m.id === id), 10_000, "A's MQTT event");
    expect(devA.messages.find(([, m]) => m.id === id)![0]).toBe(`sogoms/prokov/users/${a.id}/tasks`);

    // B's own event comes after A's on the same paths: by then A's would have arrived too, had it been sent.
    const idB = await createTask(b, 'from B');
    await sseB.next(isChange(idB));
    await waitFor(async () => devB.messages.some(([, m]) => m.id === idB), 10_000, "B's MQTT event");
    expect(sseB.changes().map((c) => c.user_id)).toEqual([b.id]);
    expect(devB.messages.map(([, m]) => m.user_id)).toEqual([b.id]);
    expect(sseA.changes().map((c) => c.id)).toEqual([id]);

    // Update and delete are published too; ?resources= narrows a stream.
    const onlyProjects = await sse(a, '?resources=projects');
    expect((await p.request('PUT', `/api/tasks/${id}`, { token: a.token, body: { done: 1 } })).status).toBe(
      200,
    );
    expect(JSON.parse((await sseA.next(isChange(id, 'update'))).data).row).toEqual({ id, done: 1 });
    expect((await p.request('DELETE', `/api/tasks/${id}`, { token: a.token })).status).toBe(200);
    const deleted = JSON.parse((await sseA.next(isChange(id, 'delete'))).data) as Record<string, unknown>;
    expect(deleted).toMatchObject({ action: 'delete', id, user_id: a.id });
    expect(deleted.row).toBeUndefined();
    const project = await p.request('POST', '/api/projects', { token: a.token, body: { name: 'P' } });
    expect(project.status).toBe(201);
    const projectId = (project.body.data as { insert_id: number }).insert_id;
    const projectEvent = JSON.parse((await onlyProjects.next(isChange(projectId))).data);
    // projects is not in push.rows: no row in its events.
    expect(projectEvent).toMatchObject({ resource: 'projects', id: projectId, user_id: a.id });
    expect(projectEvent.row).toBeUndefined();
    expect(onlyProjects.changes().map((c) => c.resource)).toEqual(['projects']);
  });

  it('the SSE stream ends when its session ends (logout), and needs a valid token to open', async () => {
    const anonymous = await openSse(`${p.url}/api/realtime`, { host: HOST });
    streams.push(anonymous);
    expect(anonymous.status).toBe(401);
    const bad = await openSse(`${p.url}/api/realtime?resources=nope`, {
      host: HOST,
      authorization: `Bearer ${(await login('push-a@example.com')).token}`,
    });
    streams.push(bad);
    expect(bad.status).toBe(400);
    const c = await login('push-c@example.com');
    const stream = await sse(c);
    expect((await p.request('POST', '/api/auth/logout', { token: c.token })).status).toBe(200);
    // The stream checks its session every DEFAULT_REALTIME_RECHECK_MS.
    const end = await stream.next((e) => e.event === 'end', DEFAULT_REALTIME_RECHECK_MS + 5_000);
    expect(JSON.parse(end.data)).toEqual({ reason: 'session ended' });
    await stream.ended;
  }, 30_000);

  it("B's MQTT client is refused when it subscribes to A's topic (Mosquitto enforces it)", async () => {
    const a = await login('push-a@example.com');
    const b = await login('push-b@example.com');
    const devB = await device(b);
    const others = [
      `sogoms/prokov/users/${a.id}/#`,
      `sogoms/prokov/users/${a.id}/tasks`,
      'sogoms/prokov/users/+/tasks',
      'sogoms/prokov/users/+/+',
      'sogoms/prokov/users/#',
      'sogoms/#',
      '#',
      `sogoms/other/users/${b.id}/#`,
    ];
    // SUBACK failure (0x80): MQTT.js rejects the subscription.
    for (const topic of others)
      await expect(devB.client.subscribeAsync(topic, { qos: 0 }), topic).rejects.toThrow(/Subscribe error/);
    // Nor may it publish an event for A.
    await devB.client.publishAsync(`sogoms/prokov/users/${a.id}/tasks`, '{"forged":true}');
    const devA = await device(a);
    const id = await createTask(a, 'after forgery');
    await waitFor(async () => devA.messages.some(([, m]) => m.id === id), 10_000, "A's event");
    expect(devA.messages.some(([, m]) => m.forged)).toBe(false);
    // Without the platform's account, a wrong password is refused at connect.
    await expect(
      mqtt.connectAsync(broker.url, { username: devB.creds.username, password: 'wrong', reconnectPeriod: 0 }),
    ).rejects.toThrow();
  });

  it("a role whose filter shows every row (admin) gets every user's events, on SSE and on its devices", async () => {
    const boss = await register('push-admin@example.com');
    const db = new Database(p.sqliteFile!);
    db.prepare("UPDATE users SET role = 'admin' WHERE id = ?").run(boss.id);
    db.close();
    const admin = await login('push-admin@example.com');
    const b = await login('push-b@example.com');
    const sseAdmin = await sse(admin, '?resources=tasks');
    const devAdmin = await device(admin);
    // Its own prefix, then one wildcard per resource its role sees whole — never all of the app's topics.
    const [own, ...seen] = devAdmin.creds.topics;
    expect(own).toBe(`sogoms/prokov/users/${admin.id}/#`);
    expect(seen).toContain('sogoms/prokov/users/+/tasks');
    for (const topic of seen) expect(topic).toMatch(/^sogoms\/prokov\/users\/\+\/[a-z_]+$/);
    await expect(devAdmin.client.subscribeAsync('sogoms/prokov/users/+/+', { qos: 0 })).rejects.toThrow(
      /Subscribe error/,
    );
    const id = await createTask(b, 'seen by admin');
    expect(JSON.parse((await sseAdmin.next(isChange(id))).data)).toMatchObject({ user_id: b.id });
    await waitFor(
      async () =>
        devAdmin.messages.some(([t, m]) => m.id === id && t === `sogoms/prokov/users/${b.id}/tasks`),
      10_000,
      "admin device: B's task event",
    );
    // An admin's update of B's row is B's event (the owner's topic), read from the row.
    const sseB = await sse(b, '?resources=tasks');
    const put = await p.request('PUT', `/api/tasks/${id}`, { token: admin.token, body: { priority: 3 } });
    expect(put.status).toBe(200);
    expect(JSON.parse((await sseB.next(isChange(id, 'update'))).data)).toMatchObject({ user_id: b.id });
  });

  it('the broker stopped and started under load loses no HTTP request, and push resumes', async () => {
    const a = await login('push-a@example.com');
    const sseA = await sse(a, '?resources=tasks');
    const devA = await device(a);
    const statuses: number[] = [];
    let running = true;
    const worker = async () => {
      let n = 0;
      while (running) {
        const res = await p.request('POST', '/api/tasks', { token: a.token, body: { title: `load ${n++}` } });
        statuses.push(res.status);
      }
    };
    const load = Promise.all([worker(), worker(), worker(), worker()]);
    await waitFor(async () => statuses.length >= 50, 20_000, 'load before the outage');
    await broker.stop();
    const atStop = statuses.length;
    await waitFor(async () => statuses.length >= atStop + 100, 20_000, 'load during the outage');
    await broker.start();
    const atStart = statuses.length;
    await waitFor(async () => statuses.length >= atStart + 50, 20_000, 'load after the outage');
    running = false;
    await load;
    expect(statuses.filter((s) => s !== 201)).toEqual([]);

    // Both the gateway's subscription (SSE) and the device reconnect by themselves.
    const id = await waitFor(
      async () => {
        const probe = await createTask(a, 'after restart');
        const seen = await sseA.next(isChange(probe), 1_000).then(
          () => true,
          () => false,
        );
        return seen ? probe : false;
      },
      30_000,
      'SSE events after the broker restart',
    );
    await waitFor(
      async () => devA.messages.some(([, m]) => m.id === id),
      20_000,
      'MQTT events after restart',
    );
    const health = await p.request('GET', '/health');
    const push = (health.body.data as { push_events: { queued: number; sent: number; dropped: number } })
      .push_events;
    // QoS 0 while the broker is away: the gateway's link queued what it could not send and sent it on return.
    expect(push).toMatchObject({ queued: 0, dropped: 0 });
    expect(push.sent).toBeGreaterThan(statuses.length);
  });
});
