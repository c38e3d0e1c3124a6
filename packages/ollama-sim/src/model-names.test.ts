import { describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';
import type { OllamaSim } from './sim';

// How each handler reads the model a request names and words what is wrong with it
// (server/routes.go, server/model_resolver.go, internal/modelref, types/model/name.go).

const start = simPerTest();

const user = [{ role: 'user', content: 'hi' }];
const bodies: Record<string, (model: string) => Record<string, unknown>> = {
  '/api/chat': (model) => ({ model, messages: user, stream: false }),
  '/api/generate': (model) => ({ model, prompt: 'hi', stream: false }),
  '/api/embed': (model) => ({ model, input: 'hi' }),
  '/api/embeddings': (model) => ({ model, prompt: 'hi' }),
  '/api/show': (model) => ({ model }),
};

async function answer(s: OllamaSim, path: string, body: unknown): Promise<[number, unknown]> {
  const res = await send(s.url, path, { body });
  return [res.status, JSON.parse(res.text)];
}

describe('model names', () => {
  it('answers 400 "invalid model name" for a malformed name on every route that runs a model', async () => {
    const s = await start();
    for (const [path, body] of Object.entries(bodies)) {
      for (const name of ['llama 3.2', 'llama3.2:', 'a/b/c/d', 'ns.dot/model', 'é'])
        expect([path, ...(await answer(s, path, body(name)))]).toEqual([
          path,
          400,
          { error: 'invalid model name' },
        ]);
    }
    const v1 = await send(s.url, '/v1/chat/completions', {
      body: { model: 'llama 3.2', messages: user },
    });
    expect([v1.status, JSON.parse(v1.text).error]).toEqual([
      400,
      { message: 'invalid model name', type: 'invalid_request_error', param: null, code: null },
    ]);
    const retrieve = await send(s.url, '/v1/models/llama%203.2');
    expect([retrieve.status, JSON.parse(retrieve.text).error.message]).toEqual([
      400,
      'invalid model name',
    ]);
  });

  it('drops surrounding spaces and a :local source, and echoes the name as sent', async () => {
    const s = await start();
    for (const name of [' llama3.2 ', 'llama3.2:local', 'llama3.2:latest:LOCAL']) {
      const [status, body] = await answer(s, '/api/chat', bodies['/api/chat']!(name));
      expect([status, (body as { model: string }).model]).toEqual([200, name]);
    }
    expect((await answer(s, '/api/show', { model: 'llama3.2:local' }))[0]).toBe(200);
  });

  it('refuses both sources at once with the name quoted', async () => {
    const s = await start();
    for (const path of ['/api/chat', '/api/generate', '/api/embed', '/api/show'])
      expect(await answer(s, path, bodies[path]!('llama3.2:local:cloud'))).toEqual([
        400,
        { error: 'use either :local or :cloud, not both: "llama3.2:local:cloud"' },
      ]);
  });

  it("answers an empty name with each handler's own text", async () => {
    const s = await start();
    const expected: Record<string, [number, string]> = {
      '/api/chat': [400, 'model is required'],
      '/api/generate': [404, "model '' not found"],
      '/api/embed': [404, "model '' not found"],
      '/api/embeddings': [400, 'model is required'],
      '/api/show': [400, 'model is required'],
    };
    for (const [path, [status, error]] of Object.entries(expected))
      expect([path, ...(await answer(s, path, bodies[path]!('')))]).toEqual([
        path,
        status,
        { error },
      ]);
    expect(await answer(s, '/api/show', { model: '   ' })).toEqual([
      400,
      { error: 'model is required' },
    ]);
    expect(await answer(s, '/api/embeddings', {})).toEqual([400, { error: 'model is required' }]);
  });

  it("answers an unknown model with each handler's own text", async () => {
    const s = await start();
    const expected: Record<string, string> = {
      '/api/chat': "model 'nope' not found",
      '/api/generate': "model 'nope' not found",
      '/api/embed': 'model "nope" not found, try pulling it first',
      '/api/embeddings': 'model "nope" not found, try pulling it first',
      '/api/show': "model 'nope:latest' not found",
    };
    for (const [path, error] of Object.entries(expected))
      expect([path, ...(await answer(s, path, bodies[path]!('nope')))]).toEqual([
        path,
        404,
        { error },
      ]);
  });

  it('names an unknown model in /api/show completed and spelled as the local models spell its parts', async () => {
    const s = await start();
    const cases: [string, string][] = [
      ['me/nope', "model 'me/nope:latest' not found"],
      ['registry.ollama.ai/library/nope:v1', "model 'nope:v1' not found"],
      ['example.com/ns/nope', "model 'example.com/ns/nope:latest' not found"],
      // Each part on its own: the model as llama3.2 spells it, the tag as qwen2.5:7b does.
      ['LLAMA3.2:7B', "model 'llama3.2:7b' not found"],
    ];
    for (const [model, error] of cases)
      expect(await answer(s, '/api/show', { model })).toEqual([404, { error }]);
  });

  it('names the model in full when it lacks insert for a suffix', async () => {
    const s = await start();
    expect(
      await answer(s, '/api/generate', { model: 'llama3.2', prompt: 'a', suffix: 'b' }),
    ).toEqual([
      400,
      { error: 'registry.ollama.ai/library/llama3.2:latest does not support insert' },
    ]);
  });
});
