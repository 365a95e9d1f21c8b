// Issue 17: `trusted_proxies` in routes/{app}.yaml, the peers whose X-Forwarded-Host / X-Forwarded-For are
// believed (loopback when `trust_proxy: true` names none), checked like every key by loadPlatformConfig and by
// `sogoctl check` (checkConfigTree).
import { describe, expect, it } from 'vitest';
import { checkConfigTree, loadPlatformConfig } from '../src/index.js';
import { prokovTree } from './fixtures.js';
import { brief, makeTree } from './helpers.js';

/** The prokov tree with these top-level lines added to routes/prokov.yaml. */
function treeWith(lines: string): string {
  const tree = prokovTree();
  tree['routes/prokov.yaml'] = `${tree['routes/prokov.yaml']}${lines}\n`;
  return makeTree({ ...tree, 'sogoctl.yaml': 'services:\n  db: { binary: ../bin/sogoms-db }\n' });
}

describe('trusted_proxies', () => {
  it('defaults to loopback with trust_proxy: true, and to nothing without it', () => {
    expect(loadPlatformConfig(treeWith('trust_proxy: true')).apps.prokov!.trustedProxies).toEqual([
      '127.0.0.0/8',
      '::1/128',
    ]);
    expect(loadPlatformConfig(treeWith('')).apps.prokov!.trustedProxies).toEqual([]);
  });

  it('reads addresses and CIDRs, IPv4 and IPv6, as address/prefix', () => {
    const dir = treeWith('trust_proxy: true\ntrusted_proxies: [10.0.0.0/8, 192.0.2.7, "fd00::/8", "::1"]');
    expect(loadPlatformConfig(dir).apps.prokov!.trustedProxies).toEqual([
      '10.0.0.0/8',
      '192.0.2.7/32',
      'fd00::/8',
      '::1/128',
    ]);
  });

  it('sogoctl check reports bad entries, an empty list, and a list without trust_proxy: true', () => {
    const bad = treeWith(
      'trust_proxy: true\ntrusted_proxies: [10.0.0.0/33, proxy.lan, 10.0.0.1/x, 300.1.1.1]',
    );
    expect(brief(checkConfigTree(bad), bad)).toEqual([
      'routes/prokov.yaml trusted_proxies[0]: expected an IP address or CIDR like 10.0.0.0/8 or fd00::/8 (got "10.0.0.0/33")',
      'routes/prokov.yaml trusted_proxies[1]: expected an IP address or CIDR like 10.0.0.0/8 or fd00::/8 (got "proxy.lan")',
      'routes/prokov.yaml trusted_proxies[2]: expected an IP address or CIDR like 10.0.0.0/8 or fd00::/8 (got "10.0.0.1/x")',
      'routes/prokov.yaml trusted_proxies[3]: expected an IP address or CIDR like 10.0.0.0/8 or fd00::/8 (got "300.1.1.1")',
    ]);
    const empty = treeWith('trust_proxy: true\ntrusted_proxies: []');
    expect(brief(checkConfigTree(empty), empty)).toEqual([
      'routes/prokov.yaml trusted_proxies: must not be empty (leave it out to trust loopback only)',
    ]);
    const without = treeWith('trusted_proxies: [10.0.0.0/8]');
    expect(brief(checkConfigTree(without), without)).toEqual([
      'routes/prokov.yaml trusted_proxies: only used with trust_proxy: true',
    ]);
  });
});
