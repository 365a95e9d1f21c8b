// Device credentials: a Mosquitto dynamic-security client per request, named
// `sogoms.{app}.{user_id}.{expires_s}.{random}`, holding a role that may subscribe to that user's topics only
// (and to the role topic of the user's role). Expired clients are deleted by the periodic sweep, found by name,
// so nothing is stored here and a restart of sogoms-push loses nothing.
import { randomBytes } from 'node:crypto';
import { isTopicLevel, roleFilter, userFilter } from '@sogoms/push';
import type { Dynsec } from './dynsec.js';

export const SWEEP_EVERY_MS = 60_000;
const CLIENT_NAME = /^sogoms\.([A-Za-z0-9_-]+)\.([0-9]+)\.([0-9]+)\.[0-9a-f]+$/;

export interface DeviceCredentials {
  broker: string;
  username: string;
  password: string;
  /** The topic filters the client may subscribe to. */
  topics: string[];
  expires_at: string;
}

const subscribeAcl = (topic: string) => [
  { acltype: 'subscribePattern', topic, allow: true },
  { acltype: 'publishClientReceive', topic, allow: true },
];

async function ensureRole(dynsec: Dynsec, rolename: string, topic: string): Promise<void> {
  try {
    await dynsec.command('createRole', { rolename, acls: subscribeAcl(topic) });
  } catch (err) {
    if (!/already exists/i.test((err as Error).message)) throw err;
  }
}

/** Creates a client bound to the user's topics; `expiresAt` is ms since the epoch. */
export async function createDeviceCredentials(
  dynsec: Dynsec,
  broker: string,
  user: { app: string; userId: number; role: string },
  expiresAt: number,
): Promise<DeviceCredentials> {
  const userRole = `sogoms.${user.app}.user.${user.userId}`;
  const topics = [userFilter(user.app, user.userId)];
  await ensureRole(dynsec, userRole, topics[0]!);
  const roles = [{ rolename: userRole }];
  if (isTopicLevel(user.role)) {
    const filter = roleFilter(user.app, user.role);
    const name = `sogoms.${user.app}.role.${user.role}`;
    await ensureRole(dynsec, name, filter);
    roles.push({ rolename: name });
    topics.push(filter);
  }
  const expS = Math.ceil(expiresAt / 1000);
  const username = `sogoms.${user.app}.${user.userId}.${expS}.${randomBytes(6).toString('hex')}`;
  const password = randomBytes(24).toString('base64url');
  await dynsec.command('createClient', { username, password, roles });
  return { broker, username, password, topics, expires_at: new Date(expS * 1000).toISOString() };
}

/** Deletes every sogoms device client whose time is up; returns how many. */
export async function sweepExpired(dynsec: Dynsec, now: number): Promise<number> {
  const data = (await dynsec.command('listClients', { verbose: false, count: -1, offset: 0 })) as
    | { clients?: unknown[] }
    | undefined;
  let deleted = 0;
  for (const client of data?.clients ?? []) {
    const name = typeof client === 'string' ? client : (client as { username?: string }).username;
    const match = name ? CLIENT_NAME.exec(name) : null;
    if (!match || Number(match[3]) * 1000 > now) continue;
    await dynsec.command('deleteClient', { username: name });
    deleted++;
  }
  return deleted;
}
