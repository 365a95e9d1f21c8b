// Picks the application serving a request from its Host header (SPEC §5): port stripped, case-insensitive;
// X-Forwarded-Host and X-Forwarded-For are believed only for apps with trust_proxy, and only when the TCP peer is
// one of the app's trusted_proxies (loopback by default): anyone else can write those headers.
import { BlockList, isIP } from 'node:net';
import type { AppConfig, PlatformConfig } from '@sogoms/config';

interface HostTable {
  byHost: Map<string, AppConfig>;
}

// One table per config version: a reload brings a new PlatformConfig object, and the old table goes with it.
const tables = new WeakMap<PlatformConfig, HostTable>();

function tableFor(config: PlatformConfig): HostTable {
  let table = tables.get(config);
  if (!table) {
    const byHost = new Map<string, AppConfig>();
    for (const app of Object.values(config.apps)) {
      for (const host of app.hosts) byHost.set(normalizeHost(host), app);
    }
    table = { byHost };
    tables.set(config, table);
  }
  return table;
}

/** "Example.COM:8080" → "example.com"; "[::1]:8080" → "[::1]"; a trailing dot is dropped. */
export function normalizeHost(raw: string): string {
  let host = raw.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    host = end === -1 ? host : host.slice(0, end + 1);
  } else {
    const colon = host.indexOf(':');
    if (colon !== -1) host = host.slice(0, colon);
  }
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const comma = value.indexOf(',');
  return comma === -1 ? value : value.slice(0, comma);
}

// One list per app object: a reload brings new AppConfig objects, and their lists are built anew.
const proxyLists = new WeakMap<AppConfig, BlockList>();

function proxyList(app: AppConfig): BlockList {
  let list = proxyLists.get(app);
  if (!list) {
    list = new BlockList();
    // Entries are "address/prefix", validated and normalised by packages/config.
    for (const entry of app.trustedProxies) {
      const [address = '', prefix = ''] = entry.split('/');
      list.addSubnet(address, Number(prefix), isIP(address) === 6 ? 'ipv6' : 'ipv4');
    }
    proxyLists.set(app, list);
  }
  return list;
}

/** True when the app believes forwarding headers and `address` is one of its trusted proxies. */
export function isTrustedProxy(app: AppConfig, address: string): boolean {
  if (!app.trustProxy) return false;
  const family = isIP(address);
  if (family === 0) return false;
  // An IPv4 peer seen on a dual-stack socket ("::ffff:10.0.0.1") matches the IPv4 entries too.
  return proxyList(app).check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** The app for these headers and TCP peer, or undefined (→ 404 APP_NOT_FOUND). */
export function resolveApp(
  config: PlatformConfig,
  host: string | undefined,
  forwardedHost: string | string[] | undefined,
  peer: string,
): AppConfig | undefined {
  const table = tableFor(config);
  const forwarded = firstValue(forwardedHost);
  if (forwarded !== undefined) {
    const app = table.byHost.get(normalizeHost(forwarded));
    if (app && isTrustedProxy(app, peer)) return app;
  }
  if (host === undefined) return undefined;
  return table.byHost.get(normalizeHost(host));
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy of the app; then the
 * X-Forwarded-For entries are read from the right (each proxy appends the address it got the request from),
 * skipping trusted proxies, and the first other address is the client. Entries further left are whatever the
 * client sent and are never used; an entry that is not an address stops the walk.
 */
export function clientIp(
  app: AppConfig,
  socketIp: string,
  forwardedFor: string | string[] | undefined,
): string {
  if (forwardedFor === undefined || !isTrustedProxy(app, socketIp)) return socketIp;
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  let client = socketIp;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!.trim();
    if (isIP(entry) === 0) break;
    client = entry;
    if (!isTrustedProxy(app, entry)) break;
  }
  return client;
}
