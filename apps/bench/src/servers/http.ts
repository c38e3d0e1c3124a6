import { spawn } from 'node:child_process';

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
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    env: { ...process.env, X_BODY_BYTES: String(options.bodyBytes ?? 512) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // never leave the server behind, even when the run ends on an error
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const m = /port (\d+)\n/.exec(buffered);
      if (!m) return;
      child.stdout.off('data', onData);
      child.stdout.resume();
      const origin = `http://127.0.0.1:${m[1]}`;
      resolve({
        url: `${origin}/api/answer`,
        origin,
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server process exited with ${code}`)));
    child.once('error', reject);
  });
}
