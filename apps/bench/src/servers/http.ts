import { startChildServer } from './child-server';

/**
 * A loopback HTTP server answering every request with a small JSON body (the size of a short
 * chat answer), in a child process: the clients compared then have the event loop (and a
 * core) to themselves, and the server's cost is not charged to them.
 */
export function startJsonServerProcess(
  options: { bodyBytes?: number } = {},
): Promise<{ url: string; origin: string; close(): Promise<void> }> {
  const code = `
    import { createServer } from 'node:http';
    const size = Number(process.env.X_BODY_BYTES);
    const body = Buffer.from(JSON.stringify({ ok: true, model: 'llama3.2', content: 'x'.repeat(Math.max(0, size - 64)) }));
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
        res.end(body);
      });
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
    process.on('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
  `;
  return startChildServer(code, {
    marker: 'port',
    env: { X_BODY_BYTES: String(options.bodyBytes ?? 512) },
    what: 'server',
  }).then(({ announced, close }) => {
    const origin = `http://127.0.0.1:${announced}`;
    return { url: `${origin}/api/answer`, origin, close };
  });
}
