import { describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';

// `cloudDisabled`: Ollama with OLLAMA_NO_CLOUD=1 (internal/cloud/policy.go, server/routes.go and
// server/cloud_proxy.go). An explicit `:cloud` source (or a `-cloud` tag) is refused where Ollama
// would proxy it to ollama.com.

const start = simPerTest();

const INFERENCE = '{"error":"ollama cloud is disabled: remote model is unavailable"}';
const DETAILS = '{"error":"ollama cloud is disabled: remote model details are unavailable"}';
const JSON_TYPE = 'application/json; charset=utf-8';
const hi = [{ role: 'user', content: 'Hi' }];

describe('startOllamaSim({ cloudDisabled })', () => {
  it('reports cloud disabled by the environment on /api/status', async () => {
    const s = await start({ cloudDisabled: true });
    const res = await send(s.url, '/api/status');
    expect(res.text).toBe('{"cloud":{"disabled":true,"source":"env"}}');
  });

  it('answers 403 to cloud models on chat, generate, embed and embeddings, before the input is checked', async () => {
    const s = await start({ cloudDisabled: true });
    const cases: [string, object][] = [
      ['/api/chat', { model: 'gpt-oss:120b-cloud', messages: hi }],
      ['/api/generate', { model: 'gpt-oss:120b:cloud', prompt: 'Hi' }],
      ['/api/embed', { model: 'nomic-embed-text:cloud', input: 1 }],
      ['/api/embeddings', { model: 'nomic-embed-text:cloud', prompt: 'Hi' }],
    ];
    for (const [path, body] of cases) {
      const res = await send(s.url, path, { body });
      expect([path, res.status, res.headers['content-type'], res.text]).toEqual([
        path,
        403,
        JSON_TYPE,
        INFERENCE,
      ]);
    }
    expect(s.stats().loads).toBe(0);
  });

  it('answers 403 with the details text on /api/show', async () => {
    const s = await start({ cloudDisabled: true });
    const res = await send(s.url, '/api/show', { body: { model: 'qwen3:cloud' } });
    expect(res.status).toBe(403);
    expect(res.text).toBe(DETAILS);
  });

  it("answers the passthrough's native 403 on /v1, before the OpenAI layer checks the request", async () => {
    const s = await start({ cloudDisabled: true });
    const chat = await send(s.url, '/v1/chat/completions', {
      body: { model: 'gpt-oss:120b-cloud', messages: [] },
    });
    expect([chat.status, chat.headers['content-type'], chat.text]).toEqual([
      403,
      JSON_TYPE,
      INFERENCE,
    ]);
    const embed = await send(s.url, '/v1/embeddings', { body: { model: 'x:cloud', input: 'a' } });
    expect([embed.status, embed.text]).toEqual([403, INFERENCE]);
    const completion = await send(s.url, '/v1/completions', {
      body: { model: 'x:cloud', prompt: 'a' },
    });
    expect([completion.status, completion.text]).toEqual([403, INFERENCE]);
    const responses = await send(s.url, '/v1/responses', {
      body: { model: 'x:cloud', input: 1 },
    });
    expect([responses.status, responses.text]).toEqual([403, INFERENCE]);
    const model = await send(s.url, '/v1/models/gpt-oss:120b-cloud');
    expect([model.status, model.text]).toEqual([403, DETAILS]);
  });

  it('leaves local models alone, and looks cloud names up locally when cloud is on', async () => {
    const off = await start({ cloudDisabled: true });
    const res = await send(off.url, '/api/chat', {
      body: { model: 'llama3.2:local', messages: hi, stream: false },
    });
    expect(res.status).toBe(200);
    expect((await send(off.url, '/api/show', { body: { model: 'llama3.2' } })).status).toBe(200);
    const on = await start({ cloudDisabled: false });
    const local = await send(on.url, '/api/chat', { body: { model: 'x:cloud', messages: hi } });
    expect([local.status, local.text]).toEqual([404, `{"error":"model 'x:cloud' not found"}`]);
    expect((await send(on.url, '/api/status')).text).toBe(
      '{"cloud":{"disabled":false,"source":"none"}}',
    );
  });

  it('throws a TypeError for a cloudDisabled that is not a boolean', async () => {
    await expect(start({ cloudDisabled: 'yes' as never })).rejects.toThrow(
      new TypeError('Expected `cloudDisabled` to be a boolean, got `"yes"` (string)'),
    );
  });
});
