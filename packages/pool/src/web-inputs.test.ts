import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPool, type Pool } from './pool';

// Node's global FormData and Request are its bundled undici's, not the pool's undici 7: the pool
// sends them as Node's global fetch does.

interface Seen {
  method: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function echo(): Promise<{ url: string; seen: Seen[]; pool: Pool }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      seen.push({
        method: req.method,
        headers: req.headers,
        body: Buffer.concat(parts).toString(),
      });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pool = createPool();
  open.push(pool, { close: () => new Promise((resolve) => server.close(resolve)) });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/up`, seen, pool };
}

function form(): FormData {
  const data = new FormData();
  data.append('model', 'llama3.2');
  data.append('file', new File(['hello'], 'a.txt', { type: 'text/plain' }));
  return data;
}

/** The multipart body's parts as `name=value` (a file's with its file name). */
function multipart(seen: Seen): string[] {
  const type = String(seen.headers['content-type']);
  expect(type).toMatch(/^multipart\/form-data; boundary=/);
  const boundary = type.slice(type.indexOf('boundary=') + 'boundary='.length);
  return seen.body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const name = /name="([^"]*)"/.exec(part)?.[1];
      const file = /filename="([^"]*)"/.exec(part)?.[1];
      const value = part.slice(part.indexOf('\r\n\r\n') + 4, -2);
      return file === undefined ? `${name}=${value}` : `${name}(${file})=${value}`;
    });
}

describe('global FormData and Request', () => {
  it('pool.fetch sends a global FormData as multipart/form-data, not "[object FormData]"', async () => {
    const { url, seen, pool } = await echo();
    const response = await pool.fetch(url, { method: 'POST', body: form() });
    expect(await response.text()).toBe('ok');
    expect(seen[0]!.body).not.toContain('[object FormData]');
    expect(multipart(seen[0]!)).toEqual(['model=llama3.2', 'file(a.txt)=hello']);
  });

  it('pool.request sends a global FormData as multipart/form-data', async () => {
    const { url, seen, pool } = await echo();
    const response = await pool.request(url, { method: 'POST', body: form() });
    expect(await response.body.text()).toBe('ok');
    expect(multipart(seen[0]!)).toEqual(['model=llama3.2', 'file(a.txt)=hello']);
  });

  it('pool.fetch takes a global Request: its URL, method, headers and body', async () => {
    const { url, seen, pool } = await echo();
    const request = new Request(url, {
      method: 'PUT',
      headers: { 'x-trace': 'abc', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    const response = await pool.fetch(request);
    expect(response.status).toBe(200);
    expect(seen[0]).toMatchObject({
      method: 'PUT',
      headers: { 'x-trace': 'abc', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
  });

  it('pool.fetch takes a global Request with no body, and init over it', async () => {
    const { url, seen, pool } = await echo();
    const response = await pool.fetch(new Request(url), { headers: { 'x-init': '1' } });
    expect(await response.text()).toBe('ok');
    expect(seen[0]).toMatchObject({ method: 'GET', headers: { 'x-init': '1' }, body: '' });
  });

  it("pool.fetch keeps a global Request's abort signal", async () => {
    const { url, seen, pool } = await echo();
    const controller = new AbortController();
    controller.abort();
    await expect(pool.fetch(new Request(url, { signal: controller.signal }))).rejects.toThrow(
      /abort/i,
    );
    expect(seen).toHaveLength(0);
  });
});
