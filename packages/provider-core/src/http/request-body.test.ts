import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, cores, lineCore, streamed } from '../__fixtures__/line-core';

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.destroy()));
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const answer = `${JSON.stringify({ delta: 'ok' })}\n${JSON.stringify({ done: true })}\n`;

/**
 * Answers each connection's first request at its first bytes, then stops reading that
 * connection for good (keeping it open): what it did not read of the request stays unsent.
 */
async function answersBeforeReading(): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.push(socket);
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.pause();
      socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ncontent-length: ${answer.length}\r\n\r\n${answer}`,
      );
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, connections: () => connections };
}

describe('a large request body the server stops reading', () => {
  it('never leaves its unsent rest on a pooled socket for the next call to wait behind', async () => {
    const { url, connections } = await answersBeforeReading();
    for (const pool of [undefined, false] as const) {
      // A call queued behind a pooled socket's unsent rest would never get its first token (the
      // server reads no more): it would fail at firstTokenMs. No wall-clock bound besides: an
      // 8 MB body takes its time on a loaded machine.
      const core = lineCore(url, { timeouts: { firstTokenMs: 5_000 }, pool });
      // 8 MB of body, more than the kernel's socket buffers take
      const large = {
        ...ask,
        messages: [{ role: 'user' as const, content: 'x'.repeat(8_000_000) }],
      };
      for (let i = 0; i < 2; i++) {
        await expect(core.complete(streamed, large)).resolves.toMatchObject({ content: 'ok' });
      }
    }
    // each call had a socket of its own: the one with unsent bytes was closed, not reused
    expect(connections()).toBe(4);
  });

  it('is written as the socket drains on the messages path too (model downloads, uploads)', async () => {
    const { url, connections } = await answersBeforeReading();
    const core = lineCore(url, { timeouts: { firstTokenMs: 5_000 } });
    const payload = { blob: 'x'.repeat(8_000_000) };
    const lines: string[] = [];
    for await (const line of core.messages({
      endpoint: '/upload',
      method: 'POST',
      payload,
      model: undefined,
      signal: undefined,
      format: { framing: 'ndjson', accept: 'application/x-ndjson' },
      breaker: false,
      parse: (message) => message.data,
    })) {
      lines.push(line);
    }
    expect(lines).toHaveLength(2);
    // behind the upload's unsent rest, this call would fail at firstTokenMs
    await expect(core.complete(streamed, ask)).resolves.toMatchObject({ content: 'ok' });
    expect(connections()).toBe(2);
  });
});
