import { describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

describe('startOllamaSim', () => {
  it('listens on 127.0.0.1 on a free port when no port is given', async () => {
    const s = await start();
    expect(s.host).toBe('127.0.0.1');
    expect(s.port).toBeGreaterThan(0);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
  });

  it('answers GET / with "Ollama is running" as text/plain; charset=utf-8', async () => {
    const s = await start();
    const res = await send(s.url, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toBe('Ollama is running');
  });

  it('answers HEAD / with Content-Length 17 and no body', async () => {
    const s = await start();
    const res = await send(s.url, '/', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('17');
    expect(res.body.length).toBe(0);
  });

  it('answers an unknown path with 404 text/plain "404 page not found"', async () => {
    const s = await start();
    const res = await send(s.url, '/api/nope');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.text).toBe('404 page not found');
  });

  it('redirects a trailing slash like gin (307 for POST, 301 for GET)', async () => {
    const s = await start();
    const post = await send(s.url, '/api/chat/', { body: {} });
    expect(post.status).toBe(307);
    expect(post.headers.location).toBe('/api/chat');
    const get = await send(s.url, '/api/tags/');
    expect(get.status).toBe(301);
    expect(get.headers.location).toBe('/api/tags');
    expect(get.text).toBe('<a href="/api/tags">Moved Permanently</a>.\n\n');
  });

  it('answers a wrong method with 405 "405 method not allowed"', async () => {
    const s = await start();
    const res = await send(s.url, '/api/chat');
    expect(res.status).toBe(405);
    expect(res.text).toBe('405 method not allowed');
  });

  it('answers 403 with an empty body when the Host header is not local', async () => {
    const s = await start();
    const res = await send(s.url, '/api/version', { headers: { host: 'evil.example.com' } });
    expect(res.status).toBe(403);
    expect(res.body.length).toBe(0);
    const ok = await send(s.url, '/api/version', { headers: { host: 'ollama.internal:11434' } });
    expect(ok.status).toBe(200);
  });

  it('reports the configured version from /api/version, also for HEAD', async () => {
    const s = await start({ version: '0.33.0-rc2' });
    const res = await send(s.url, '/api/version');
    expect(res.text).toBe('{"version":"0.33.0-rc2"}');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const head = await send(s.url, '/api/version', { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});
