// X-Request-Id: a client's id is kept when it is short and made of safe characters (it ends up in logs and in
// protocol frames), otherwise one is generated in the protocol's own format.
import type { IncomingMessage } from 'node:http';
import { newRequestId } from '@sogoms/protocol';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_ID.test(given) ? given : newRequestId();
}
