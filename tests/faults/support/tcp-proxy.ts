// A TCP proxy the fault suite puts between sogoms-db and MariaDB: stopping it is MariaDB going away (every
// connection cut, new ones refused), starting it again on the same port is MariaDB coming back.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Connections accepted since the proxy was created. */
  accepted = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** Listens on 127.0.0.1:port (0 = any free port); resolves with the port. */
  async start(port = 0): Promise<number> {
    const server = createServer((client) => {
      this.accepted++;
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  /** Refuses new connections and cuts every open one. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
