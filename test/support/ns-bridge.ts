/**
 * The root-namespace half of ns-relay-child.ts: a Unix socket that forwards every connection to a
 * TCP service on this namespace's loopback. Closing the bridge drops its connections, which is how a
 * test cuts a namespace off from one service without stopping it.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface Bridge {
  socketPath: string;
  close(): Promise<void>;
}

export async function bridgeToLoopback(socketPath: string, port: number): Promise<Bridge> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    socketPath,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
