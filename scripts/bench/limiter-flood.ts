// The auth rate limiter under a flood of distinct keys: `password/forgot` with as many different well-formed
// addresses (each a limiter key of its own, near the 254-character bound), then the gateway's RSS. The limiter
// keeps at most its cap of windows, so the RSS must level off instead of growing with the flood.
import { httpRequest } from '../../tests/helpers/platform.js';

const CONCURRENCY = 16;

/** Sends `count` forgot requests with distinct addresses; resolves with the number answered 200. */
export async function floodLimiter(url: string, host: string, count: number): Promise<number> {
  let next = 0;
  let ok = 0;
  // A local part is at most 64 characters and a host label 63: the length goes into three long labels.
  const domain = ['x', 'y', 'z'].map((c) => c.repeat(60)).join('.');
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const res = await httpRequest(
        `${url}/api/auth/password/forgot`,
        'POST',
        { host, 'content-type': 'application/json' },
        JSON.stringify({ email: `flood${i}@${domain}.example.com` }),
      );
      if (res.status === 200) ok++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return ok;
}
