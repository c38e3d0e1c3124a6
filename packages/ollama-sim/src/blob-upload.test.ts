import { describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { sha256 } from './__fixtures__/model-store';
import { simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

describe('/api/blobs/:digest', () => {
  it('answers HEAD 404 then 200 once uploaded, 201 on upload and 200 when already there', async () => {
    const s = await start();
    const bytes = Buffer.from('adapter bytes');
    const digest = sha256(bytes);
    expect((await send(s.url, `/api/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404);
    const post = () => fetch(`${s.url}/api/blobs/${digest}`, { method: 'POST', body: bytes });
    expect((await post()).status).toBe(201);
    expect((await send(s.url, `/api/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);
    expect((await post()).status).toBe(200);
  });

  it('answers 400 when the bytes do not match the digest, or the digest is malformed', async () => {
    const s = await start();
    const claimed = `sha256:${'0'.repeat(64)}`;
    const res = await fetch(`${s.url}/api/blobs/${claimed}`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: `digest mismatch, expected "${claimed}", got "${sha256(Buffer.from('x'))}"`,
    });
    const bad = await fetch(`${s.url}/api/blobs/md5:abc`, { method: 'POST', body: 'x' });
    expect([bad.status, await bad.json()]).toEqual([400, { error: 'invalid digest format' }]);
    expect((await send(s.url, `/api/blobs/${claimed}`, { method: 'HEAD' })).status).toBe(404);
  });

  it('matches fault rules on the /api/blobs/:digest pattern', async () => {
    const s = await start({
      faults: [{ route: '/api/blobs/:digest', fault: { kind: 'status', status: 500 } }],
    });
    const res = await send(s.url, `/api/blobs/sha256:${'1'.repeat(64)}`, { method: 'HEAD' });
    expect(res.status).toBe(500);
    expect(s.stats().byRoute['/api/blobs/:digest']).toBe(1);
  });
});
