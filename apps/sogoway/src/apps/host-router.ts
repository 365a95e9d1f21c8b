// Picks the application serving a request from its Host header (SPEC §5): port stripped, case-insensitive;
// X-Forwarded-Host is believed only for apps with trust_proxy (it is set by the client otherwise).
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

/** The app for these headers, or undefined (→ 404 APP_NOT_FOUND). */
export function resolveApp(
  config: PlatformConfig,
  host: string | undefined,
  forwardedHost: string | string[] | undefined,
): AppConfig | undefined {
  const table = tableFor(config);
  const forwarded = firstValue(forwardedHost);
  if (forwarded !== undefined) {
    const app = table.byHost.get(normalizeHost(forwarded));
    if (app?.trustProxy) return app;
  }
  if (host === undefined) return undefined;
  return table.byHost.get(normalizeHost(host));
}

/**
 * The client's address: with trust_proxy, the last X-Forwarded-For entry (the one our own proxy appended;
 * earlier entries are whatever the client sent); otherwise the socket's peer.
 */
export function clientIp(
  app: AppConfig,
  socketIp: string,
  forwardedFor: string | string[] | undefined,
): string {
  if (!app.trustProxy || forwardedFor === undefined) return socketIp;
  const value = Array.isArray(forwardedFor) ? forwardedFor.at(-1)! : forwardedFor;
  const last = value.slice(value.lastIndexOf(',') + 1).trim();
  return last === '' ? socketIp : last;
}
