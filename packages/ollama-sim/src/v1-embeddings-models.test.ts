import { afterEach, describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { keysOf } from './__fixtures__/shape';
import { type OllamaSim, startOllamaSim } from './sim';

let sim: OllamaSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

interface EmbeddingList {
  object: string;
  data: { object: string; embedding: number[] | string; index: number }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

const decode = (base64: string): number[] => {
  const bytes = Buffer.from(base64, 'base64');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) out.push(bytes.readFloatLE(i));
  return out;
};

describe('POST /v1/embeddings', () => {
  it('answers an embedding list with the vectors /api/embed answers and usage.prompt_tokens', async () => {
    sim = await startOllamaSim();
    const input = ['The sky is blue.', 'Grass is green.'];
    const res = await send(sim.url, '/v1/embeddings', {
      body: { model: 'nomic-embed-text', input },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const body = JSON.parse(res.text) as EmbeddingList;
    expect(keysOf(body)).toEqual(['object', 'data', 'model', 'usage']);
    expect(body.object).toBe('list');
    expect(body.model).toBe('nomic-embed-text');
    expect(body.data.map((d) => [d.object, d.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ]);
    const native = JSON.parse(
      (await send(sim.url, '/api/embed', { body: { model: 'nomic-embed-text', input } })).text,
    ) as { embeddings: number[][]; prompt_eval_count: number };
    expect(body.data.map((d) => d.embedding)).toEqual(native.embeddings);
    expect(body.usage).toEqual({
      prompt_tokens: native.prompt_eval_count,
      total_tokens: native.prompt_eval_count,
    });
  });

  it('answers base64 of the little-endian float32 values for encoding_format base64', async () => {
    sim = await startOllamaSim();
    const request = { model: 'nomic-embed-text', input: 'café', dimensions: 64 };
    const floats = JSON.parse(
      (await send(sim.url, '/v1/embeddings', { body: request })).text,
    ) as EmbeddingList;
    const encoded = JSON.parse(
      (
        await send(sim.url, '/v1/embeddings', {
          body: { ...request, encoding_format: 'BASE64' },
        })
      ).text,
    ) as EmbeddingList;
    const vector = floats.data[0]!.embedding as number[];
    expect(vector).toHaveLength(64);
    expect(typeof encoded.data[0]!.embedding).toBe('string');
    const decoded = decode(encoded.data[0]!.embedding as string);
    expect(decoded).toHaveLength(64);
    decoded.forEach((v, i) => {
      expect(Math.fround(v)).toBe(Math.fround(vector[i]!));
    });
  });

  it('embeds a string input and an empty string', async () => {
    sim = await startOllamaSim();
    for (const input of ['hello', '']) {
      const body = JSON.parse(
        (await send(sim.url, '/v1/embeddings', { body: { model: 'nomic-embed-text', input } }))
          .text,
      ) as EmbeddingList;
      expect(body.data).toHaveLength(1);
      expect(body.data[0]!.embedding).toHaveLength(768);
    }
  });

  const rejected: [string, object, number, string][] = [
    [
      'an unknown encoding_format',
      { model: 'nomic-embed-text', input: 'x', encoding_format: 'int8' },
      400,
      "Invalid value for 'encoding_format' = int8. Supported values: ['float', 'base64'].",
    ],
    ['no input', { model: 'nomic-embed-text' }, 400, 'invalid input'],
    ['an empty input list', { model: 'nomic-embed-text', input: [] }, 400, 'invalid input'],
    ['token arrays', { model: 'nomic-embed-text', input: [[1, 2]] }, 400, 'invalid input type'],
    [
      'an unknown model',
      { model: 'nope', input: 'x' },
      404,
      'model "nope" not found, try pulling it first',
    ],
  ];
  for (const [name, body, status, message] of rejected) {
    it(`answers ${status} ${JSON.stringify(message)} for ${name}`, async () => {
      sim = await startOllamaSim();
      const res = await send(sim.url, '/v1/embeddings', { body });
      expect(res.status).toBe(status);
      expect(JSON.parse(res.text)).toEqual({
        error: {
          message,
          type: status === 404 ? 'not_found_error' : 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    });
  }
});

interface ModelObject {
  id: string;
  object: string;
  created: number;
  owned_by: string;
}

describe('GET /v1/models', () => {
  it('lists the models /api/tags lists, newest first, as OpenAI model objects', async () => {
    sim = await startOllamaSim();
    const res = await send(sim.url, '/v1/models');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const body = JSON.parse(res.text) as { object: string; data: ModelObject[] };
    const tags = JSON.parse((await send(sim.url, '/api/tags')).text) as {
      models: { name: string; modified_at: string }[];
    };
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual(tags.models.map((m) => m.name));
    for (const [i, m] of body.data.entries()) {
      expect(keysOf(m)).toEqual(['id', 'object', 'created', 'owned_by']);
      expect(m.object).toBe('model');
      expect(m.owned_by).toBe('library');
      expect(m.created).toBe(Math.floor(Date.parse(tags.models[i]!.modified_at) / 1000));
    }
  });

  it('shows a pulled or copied model and drops a deleted one', async () => {
    sim = await startOllamaSim({ models: [{ name: 'llama3.2' }] });
    const ids = async () =>
      (JSON.parse((await send(sim!.url, '/v1/models')).text) as { data: ModelObject[] }).data.map(
        (m) => m.id,
      );
    expect(await ids()).toEqual(['llama3.2:latest']);
    await send(sim.url, '/api/pull', { body: { model: 'qwen3:4b', stream: false } });
    await send(sim.url, '/api/copy', {
      body: { source: 'llama3.2', destination: 'me/gpt-4o-mini' },
    });
    expect((await ids()).sort()).toEqual(['llama3.2:latest', 'me/gpt-4o-mini:latest', 'qwen3:4b']);
    // As in Ollama, a namespaced id cannot be retrieved: gin decodes the slash before routing.
    const copied = await send(sim.url, '/v1/models/me%2Fgpt-4o-mini');
    expect([copied.status, copied.text]).toEqual([404, '404 page not found']);
    await send(sim.url, '/api/delete', { method: 'DELETE', body: { model: 'llama3.2' } });
    expect((await ids()).sort()).toEqual(['me/gpt-4o-mini:latest', 'qwen3:4b']);
    const list = JSON.parse((await send(sim.url, '/v1/models')).text) as { data: ModelObject[] };
    expect(list.data.find((m) => m.id === 'me/gpt-4o-mini:latest')!.owned_by).toBe('me');
  });

  it('answers "data": null when the server has no model, as Go marshals an empty list', async () => {
    sim = await startOllamaSim({ models: [] });
    expect((await send(sim.url, '/v1/models')).text).toBe('{"object":"list","data":null}\n');
  });
});

describe('GET /v1/models/{model}', () => {
  it('answers one model object with the id as requested, a colon escaped or not', async () => {
    sim = await startOllamaSim();
    for (const path of ['llama3.2', 'llama3.2:latest', 'llama3.2%3Alatest']) {
      const res = await send(sim.url, `/v1/models/${path}`);
      expect(res.status).toBe(200);
      const body = JSON.parse(res.text) as ModelObject;
      expect(body).toEqual({
        id: decodeURIComponent(path),
        object: 'model',
        created: Math.floor(Date.parse('2026-07-30T18:22:05.402Z') / 1000),
        owned_by: 'library',
      });
    }
  });

  it('answers 404 not_found_error naming the full name of an unknown model', async () => {
    sim = await startOllamaSim();
    const res = await send(sim.url, '/v1/models/nope');
    expect(res.status).toBe(404);
    expect(res.text).toBe(
      '{"error":{"message":"model \'nope:latest\' not found","type":"not_found_error","param":null,"code":null}}\n',
    );
  });
});
