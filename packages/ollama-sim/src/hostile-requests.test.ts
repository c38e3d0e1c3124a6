import { afterEach, describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { type OllamaSim, startOllamaSim } from './sim';

let sim: OllamaSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A chat body with `message` as its only message and `extra` appended to its members. */
const chat = (extra: string, message = '{"role":"user","content":"hi"}') =>
  `{"model":"llama3.2","messages":[${message}],"stream":false${extra}}`;

describe('a __proto__ member in a request body', () => {
  const cases: [string, string][] = [
    ['at the top level', chat(',"__proto__":{"model":"nope","stream":true}')],
    ['in a message', chat('', '{"role":"user","content":"hi","__proto__":{"role":"x"}}')],
    ['in options', chat(',"options":{"__proto__":{"num_ctx":"x"}}')],
  ];
  for (const [where, raw] of cases) {
    it(`is an ordinary unknown field (200, no prototype change) when it is ${where}`, async () => {
      sim = await startOllamaSim();
      const res = await send(sim.url, '/api/chat', { rawBody: raw });
      expect(res.status).toBe(200);
      const body = JSON.parse(res.text);
      expect(body.model).toBe('llama3.2');
      expect(body.done).toBe(true);
      expect(({} as Record<string, unknown>).model).toBeUndefined();
      expect(({} as Record<string, unknown>).num_ctx).toBeUndefined();
    });
  }

  it('answers 400 "model is required" when the model is only inside __proto__', async () => {
    sim = await startOllamaSim();
    const res = await send(sim.url, '/api/chat', {
      rawBody: '{"__proto__":{"model":"llama3.2"},"messages":[]}',
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ error: 'model is required' });
  });

  it('is kept as an ordinary key of JSON content built from a schema that names it', async () => {
    sim = await startOllamaSim();
    const format = {
      type: 'object',
      properties: { ['__proto__']: { type: 'boolean' } },
      required: ['__proto__'],
    };
    // A computed key defines an own `__proto__` property, which JSON.stringify writes out.
    const raw = chat(`,"format":${JSON.stringify(format)}`);
    expect(raw).toContain('"properties":{"__proto__":');
    const res = await send(sim.url, '/api/chat', { rawBody: raw });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).message.content).toBe('{"__proto__":true}');
  });
});

describe('the request log', () => {
  it('redacts every credential header, whatever its name, in entries and events', async () => {
    sim = await startOllamaSim();
    const heard: string[] = [];
    sim.onRequest((e) => heard.push(JSON.stringify(e)));
    const secrets = {
      authorization: 'Bearer sk-one',
      'x-api-key': 'sk-two',
      'api-key': 'sk-three',
      'x-auth-token': 'sk-four',
      'x-goog-api-key': 'sk-five',
      'proxy-authorization': 'Basic c2stc2l4',
      cookie: 'session=sk-seven',
      'x-session-id': 'sk-eight',
    };
    await send(sim.url, '/api/version', { headers: { ...secrets, 'x-trace': 'kept' } });
    const [entry] = sim.requests;
    for (const name of Object.keys(secrets)) expect(entry!.headers[name]).toBe('[redacted]');
    expect(entry!.headers['x-trace']).toBe('kept');
    expect(heard).toHaveLength(1);
    for (const text of [JSON.stringify(sim.requests), heard[0]!, JSON.stringify(sim.stats())]) {
      expect(text).not.toMatch(/sk-|c2stc2l4/);
    }
  });
});
