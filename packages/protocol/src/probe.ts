// Tells whether a Unix socket path is served by a live process, left over (stale), or absent.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

export type SocketState = 'live' | 'stale' | 'absent';

export function probeSocket(path: string, timeoutMs = 500): Promise<SocketState> {
  if (!existsSync(path)) return Promise.resolve('absent');
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (state: SocketState) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(state);
    };
    const timer = setTimeout(() => done('live'), timeoutMs); // accepted but silent is still someone's socket
    socket.once('connect', () => done('live'));
    socket.once('error', () => done('stale'));
  });
}
