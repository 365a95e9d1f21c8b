// Device credentials: a Mosquitto dynamic-security client per request, named
// `sogoms.{app}.{user_id}.{expires_s}.{random}`, holding a role that may subscribe to that user's topics only
// and, when the user's role sees every row of some resources (the CRUD's read filters, decided by the gateway),
// a role that may read those resources' events of every user. Expired clients are deleted by the periodic
// sweep, found by name, so nothing is stored here and a restart of sogoms-push loses nothing.
import { createHash, randomBytes } from 'node:crypto';
import { isTopicLevel, resourceFilter, userFilter } from '@sogoms/push';
import type { Dynsec } from './dynsec.js';

export const SWEEP_EVERY_MS = 60_000;
/** Resources named in one request, past which it is refused (an app has far fewer). */
export const MAX_SEEN_RESOURCES = 500;
const CLIENT_NAME = /^sogoms\.([A-Za-z0-9_-]+)\.([0-9]+)\.([0-9]+)\.[0-9a-f]+$/;

export interface DeviceCredentials {
  broker: string;
  username: string;
  password: string;
  /** The topic filters the client may subscribe to. */
  topics: string[];
  expires_at: string;
}

export interface DeviceUser {
  app: string;
  userId: number;
  /** Resources whose every row the user's role sees: their events of every user are readable too. */
  resources: readonly string[];
}

const subscribeAcls = (topics: readonly string[]) =>
  topics.flatMap((topic) => [
    { acltype: 'subscribePattern', topic, allow: true },
    { acltype: 'publishClientReceive', topic, allow: true },
  ]);

async function ensureRole(dynsec: Dynsec, rolename: string, topics: readonly string[]): Promise<void> {
  try {
    await dynsec.command('createRole', { rolename, acls: subscribeAcls(topics) });
  } catch (err) {
    if (!/already exists/i.test((err as Error).message)) throw err;
  }
}

/**
 * The role of the resources seen whole, named after a digest of its topics: a role's ACLs never change once
 * made, so "already exists" means the same rights, and a config that changes what a role sees makes a new one
 * (devices made before keep theirs until they expire, like a changed user role).
 */
export function seenRoleName(app: string, topics: readonly string[]): string {
  const digest = createHash('sha256').update(topics.join('\n')).digest('hex').slice(0, 16);
  return `sogoms.${app}.seen.${digest}`;
}

/** Creates a client bound to the user's topics; `expiresAt` is ms since the epoch. */
export async function createDeviceCredentials(
  dynsec: Dynsec,
  broker: string,
  user: DeviceUser,
  expiresAt: number,
): Promise<DeviceCredentials> {
  const userRole = `sogoms.${user.app}.user.${user.userId}`;
  const own = userFilter(user.app, user.userId);
  await ensureRole(dynsec, userRole, [own]);
  const roles = [{ rolename: userRole }];
  const seen = [...new Set(user.resources)]
    .filter(isTopicLevel)
    .sort()
    .map((resource) => resourceFilter(user.app, resource));
  if (seen.length > 0) {
    const name = seenRoleName(user.app, seen);
    await ensureRole(dynsec, name, seen);
    roles.push({ rolename: name });
  }
  const expS = Math.ceil(expiresAt / 1000);
  const username = `sogoms.${user.app}.${user.userId}.${expS}.${randomBytes(6).toString('hex')}`;
  const password = randomBytes(24).toString('base64url');
  await dynsec.command('createClient', { username, password, roles });
  return {
    broker,
    username,
    password,
    topics: [own, ...seen],
    expires_at: new Date(expS * 1000).toISOString(),
  };
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
