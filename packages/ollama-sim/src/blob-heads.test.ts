import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';

// The headers of `HEAD /api/blobs/:digest`, which a client reads to tell Ollama's "no such blob"
// from a 404 of something else (a proxy, a path gin does not route): HeadBlobHandler writes its
// JSON error with c.AbortWithStatusJSON, or nothing with c.Status(200), and Go's net/http sends
// no body to a HEAD but declares the length of what the handler wrote, and none when it wrote
// nothing.

const start = simPerTest();

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('HEAD /api/blobs/:digest', () => {
  it("answers with Go's headers: the JSON 404's type and length, no length on the empty 200", async () => {
    const s = await start();
    const bytes = Buffer.from('adapter bytes');
    const digest = sha256(bytes);
    const absent = await send(s.url, `/api/blobs/${digest}`, { method: 'HEAD' });
    const written = JSON.stringify({ error: `blob "${digest}" not found` });
    expect(absent.status).toBe(404);
    expect(absent.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(absent.headers['content-length']).toBe(String(Buffer.byteLength(written)));
    expect(absent.body).toHaveLength(0);
    await fetch(`${s.url}/api/blobs/${digest}`, { method: 'POST', body: bytes });
    const held = await send(s.url, `/api/blobs/${digest}`, { method: 'HEAD' });
    expect(held.status).toBe(200);
    expect(held.headers['content-length']).toBeUndefined();
    expect(held.headers['content-type']).toBeUndefined();
  });
});
