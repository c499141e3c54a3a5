/**
 * Host ports as the load balancer data plane sees them: HAProxy binds listeners on this host, so a port
 * some other process holds would make its reload fail. The API asks before it accepts a listener.
 */
import { createServer } from 'node:net';

/** True when nothing on this host listens on address:port (HAProxy would fail to bind otherwise). */
export function portFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: address, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}
