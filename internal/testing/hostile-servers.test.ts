// These tests use the real clock: they watch real sockets (bytes flowing, a client hanging up).
import { connect } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HostileServer } from './hostile-server';
import {
  startDataAfterDone,
  startEchoSecrets,
  startEndlessBody,
  startEndlessLine,
  startEndlessNdjson,
  startNeverResponds,
  startTrickle,
} from './hostile-servers';

let server: HostileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Reads a response body until `enough` says stop (then cancels it) or it ends. */
async function readUntil(
  res: Response,
  enough: (text: string, bytes: number) => boolean,
): Promise<{ text: string; bytes: number; chunks: Uint8Array[]; ended: boolean }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const chunks: Uint8Array[] = [];
  let text = '';
  let bytes = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { text, bytes, chunks, ended: true };
    chunks.push(value);
    bytes += value.length;
    text += decoder.decode(value, { stream: true });
    if (enough(text, bytes)) {
      await reader.cancel();
      return { text, bytes, chunks, ended: false };
    }
  }
}

/** Whether the promise settles within a few event-loop turns. */
async function settlesSoon(promise: Promise<unknown>, turns = 50): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < turns && !settled; i++) await new Promise((r) => nextTurn(r));
  return settled;
}

/** Asserts that the server wrote nothing more over a few event-loop turns. */
async function expectStoppedWriting(s: HostileServer): Promise<void> {
  await vi.waitFor(() => expect(s.stats.clientGone).toBe(true), { timeout: 5_000 });
  // (fetch may open a fresh keep-alive connection meanwhile, so `open` is not checked here.)
  const sent = s.stats.bytesSent;
  await new Promise((r) => setTimeout(r, 30));
  expect(s.stats.bytesSent).toBe(sent);
}

describe('startEndlessBody', () => {
  it('sends random bytes for as long as the client reads, and stops when it leaves', async () => {
    server = await startEndlessBody({ chunkBytes: 1024 });
    const res = await fetch(`${server.url}/api/chat`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    const got = await readUntil(res, (_, bytes) => bytes >= 256 * 1024);
    expect(got.ended).toBe(false);
    expect(server.stats.bytesSent).toBeGreaterThanOrEqual(256 * 1024);
    expect(new Set(got.chunks[0]).size).toBeGreaterThan(16); // not one repeated byte
    await expectStoppedWriting(server);
    expect(server.stats.requests).toBe(1);
  });
});

describe('a hostile server whose client hangs up', () => {
  it('releases the socket (no half-open connection left)', async () => {
    server = await startEndlessBody({ chunkBytes: 1024 });
    const socket = connect(server.port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    let received = 0;
    await new Promise<void>((resolve) =>
      socket.on('data', (data: Buffer) => {
        received += data.length;
        if (received > 64 * 1024) resolve();
      }),
    );
    socket.destroy();
    await vi.waitFor(() => expect(server!.stats.open).toBe(0), { timeout: 5_000 });
    expect(server.stats).toMatchObject({ connections: 1, clientGone: true });
  });
});

describe('startEndlessLine', () => {
  it('sends one NDJSON line that never ends, and stops when the client leaves', async () => {
    server = await startEndlessLine({ chunkBytes: 4096 });
    const res = await fetch(`${server.url}/api/chat`, { method: 'POST', body: '{}' });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const got = await readUntil(res, (_, bytes) => bytes >= 200_000);
    expect(
      got.text.startsWith('{"model":"hostile","message":{"role":"assistant","content":"aaa'),
    ).toBe(true);
    expect(got.text).not.toContain('\n');
    await expectStoppedWriting(server);
  });
});

describe('startEndlessNdjson', () => {
  it('sends valid done:false chat chunks forever, and stops when the client leaves', async () => {
    server = await startEndlessNdjson({ model: 'llama3.2', content: 'x' });
    const res = await fetch(`${server.url}/api/chat`, { method: 'POST', body: '{}' });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const got = await readUntil(res, (text) => text.split('\n').length > 2000);
    const lines = got.text.split('\n').slice(0, 2000);
    for (const line of lines) {
      expect(JSON.parse(line)).toMatchObject({
        model: 'llama3.2',
        message: { role: 'assistant', content: 'x' },
        done: false,
      });
    }
    await expectStoppedWriting(server);
  });

  it('paces the chunks when given an interval', async () => {
    server = await startEndlessNdjson({ intervalMs: 20 });
    const res = await fetch(`${server.url}/api/chat`, { method: 'POST', body: '{}' });
    const reader = res.body!.getReader();
    // Three lines cannot arrive in less than two intervals, however late the reads are (a busy
    // machine may deliver two lines in one read, so the read count proves nothing).
    const started = performance.now();
    let text = '';
    while (text.split('\n').length <= 3) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    await reader.cancel();
    await expectStoppedWriting(server);
  });
});

describe('startTrickle', () => {
  it('sends the headers at once, then the body one byte at a time, then ends', async () => {
    server = await startTrickle({ intervalMs: 20, body: 'abcd', contentType: 'text/plain' });
    const res = await fetch(server.url);
    expect(res.headers.get('content-type')).toBe('text/plain');
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('a');
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      rest += new TextDecoder().decode(r.value);
    }
    expect(`a${rest}`).toBe('abcd');
    expect(server.stats.clientGone).toBe(false);
  });

  it('stops trickling when the client leaves', async () => {
    server = await startTrickle({ intervalMs: 5 });
    const res = await fetch(server.url);
    await readUntil(res, (_, bytes) => bytes >= 3);
    await expectStoppedWriting(server);
  });
});

describe('startNeverResponds', () => {
  it('accepts the connection and never sends a byte, until the client hangs up', async () => {
    server = await startNeverResponds();
    const abort = new AbortController();
    const pending = fetch(server.url, { signal: abort.signal });
    await vi.waitFor(() => expect(server!.stats.connections).toBe(1), { timeout: 5_000 });
    expect(await settlesSoon(pending)).toBe(false);
    expect(server.stats.bytesSent).toBe(0);
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await vi.waitFor(() => expect(server!.stats.clientGone).toBe(true), { timeout: 5_000 });
    expect(server.stats.bytesSent).toBe(0);
  });
});

describe('startDataAfterDone', () => {
  const post = (s: HostileServer) => fetch(`${s.url}/api/chat`, { method: 'POST', body: '{}' });

  it('sends content lines after the done line when after is "lines"', async () => {
    server = await startDataAfterDone({ after: 'lines', lines: 2 });
    const lines = (await (await post(server)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.done)).toEqual([false, false, true, false, false]);
    expect(lines[3].message.content).toBe('after0 ');
  });

  it('sends an error line after the done line when after is "error"', async () => {
    server = await startDataAfterDone({ after: 'error' });
    const lines = (await (await post(server)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.at(-2).done).toBe(true);
    expect(lines.at(-1)).toEqual({ error: 'an error after done' });
  });

  it('leaves the connection open after the done line when after is "open"', async () => {
    server = await startDataAfterDone({ after: 'open', lines: 1 });
    const reader = (await post(server)).body!.getReader();
    let text = '';
    while (!text.includes('"done":true'))
      text += new TextDecoder().decode((await reader.read()).value);
    expect(await settlesSoon(reader.read())).toBe(false);
    await reader.cancel();
    await vi.waitFor(() => expect(server!.stats.clientGone).toBe(true), { timeout: 5_000 });
  });
});

describe('startEchoSecrets', () => {
  it('answers 401 echoing the URL and headers raw, URL-encoded, in base64, base64url and hex', async () => {
    server = await startEchoSecrets();
    const token = 'sk-a/b+c=d';
    const res = await fetch(`${server.url}/api/chat?key=q%2Fsecret`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-api-key': 'xk-123' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    const { error } = (await res.json()) as { error: string };
    for (const secret of [token, 'xk-123', 'q/secret']) {
      expect(error).toContain(secret);
      expect(error).toContain(encodeURIComponent(secret));
      expect(error).toContain(Buffer.from(secret).toString('base64'));
      expect(error).toContain(Buffer.from(secret).toString('base64url'));
      expect(error).toContain(Buffer.from(secret).toString('hex'));
    }
    // the whole header value too, whose base64 does not contain the token's own
    expect(error).toContain(Buffer.from(`Bearer ${token}`).toString('base64'));
    expect(error).toContain('/api/chat?key=q%2Fsecret');
  });

  it('answers the status it is given', async () => {
    server = await startEchoSecrets({ status: 500 });
    expect((await fetch(server.url)).status).toBe(500);
  });
});

describe('HostileServer.close', () => {
  it('destroys every socket, streaming or silent, and refuses new connections', async () => {
    const endless = await startEndlessBody();
    const silent = await startNeverResponds();
    const res = await fetch(endless.url);
    const reading = readUntil(res, () => false).catch((e: unknown) => e);
    const raw = connect(silent.port, '127.0.0.1');
    const closed = new Promise((resolve) => raw.on('close', resolve));
    raw.on('error', () => undefined);
    await vi.waitFor(() => expect(silent.stats.connections).toBe(1), { timeout: 5_000 });
    await endless.close();
    await silent.close();
    expect(await reading).toBeInstanceOf(Error);
    await closed;
    expect(endless.stats.open).toBe(0);
    expect(silent.stats.open).toBe(0);
    expect(endless.stats.clientGone).toBe(false);
    await expect(fetch(endless.url)).rejects.toThrow();
  });

  it('closes at the end of an `await using` scope', async () => {
    let url = '';
    {
      await using s = await startEchoSecrets();
      url = s.url;
      expect((await fetch(url)).status).toBe(401);
    }
    await expect(fetch(url)).rejects.toThrow();
  });
});
