import { createServer } from 'node:net';

/**
 * A loopback port nothing listens on now: taken from the kernel, then given back. For a test that
 * starts a server on a known port later (a server that comes up while a client already retries).
 */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
