// The `context` of a generate answer, from a server that sends one no answer could hold: longer
// than any window a request runs with (2^20 tokens, or the request's window when larger), or with
// entries that are not token ids. Such a `context` is dropped whole (`undefined`, as with `raw`),
// never cut or filtered into a history the model never had.
import type { ServerResponse } from 'node:http';
import { memoryAfterGc, pullAll } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { fixtureSetup, loadFixture } from './__fixtures__/server';

const { setup } = fixtureSetup();

const CAP = 2 ** 20;

/** `[0,0,…]` of `n` zeros, as JSON text: the list is never built here. */
const zeros = (n: number) => `[${'0,'.repeat(n - 1)}0]`;

/** A final `/api/generate` line whose `context` is the JSON text given. */
function answerWith(context: string) {
  const head = JSON.stringify({
    model: 'llama3.2',
    created_at: '2026-12-07T22:00:00Z',
    response: 'Hello',
    done: true,
    done_reason: 'stop',
    prompt_eval_count: 3,
    eval_count: 1,
  });
  const line = `${head.slice(0, -1)},"context":${context}}\n`;
  return (_req: unknown, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(line);
  };
}

/** `/api/show` of llama3.2 with a trained length of `trained` tokens. */
function showTrained(trained: number) {
  const fixture = loadFixture('05-show-llama3.2.json');
  const body = JSON.parse(fixture.response.body ?? '{}') as { model_info: Record<string, unknown> };
  body.model_info['llama.context_length'] = trained;
  return { ...fixture, response: { ...fixture.response, body: JSON.stringify(body) } };
}

const ask = { model: 'llama3.2', prompt: 'Hi' };

describe('generate() answer context from a hostile server', () => {
  it('drops a context past 2^20 tokens, keeping the rest of the answer', {
    timeout: 30_000,
  }, async () => {
    const { provider } = await setup({ '/api/generate': answerWith(zeros(CAP + 1)) });
    const answer = await provider.generate(ask);
    expect(answer).toMatchObject({ content: 'Hello', finishReason: 'stop' });
    expect(answer.context).toBeUndefined();
  });

  it('drops it from streamGenerate() too', { timeout: 30_000 }, async () => {
    const { provider } = await setup({ '/api/generate': answerWith(zeros(CAP + 1)) });
    const chunks = await pullAll(provider.streamGenerate(ask)[Symbol.asyncIterator]());
    const last = chunks.at(-1);
    expect(last?.done).toBe(true);
    expect(last?.response?.content).toBe('Hello');
    expect(last?.response?.context).toBeUndefined();
  });

  it('keeps a context of exactly 2^20 tokens whole', { timeout: 30_000 }, async () => {
    const { provider } = await setup({ '/api/generate': answerWith(zeros(CAP)) });
    const answer = await provider.generate(ask);
    expect(answer.context).toHaveLength(CAP);
    expect(answer.context?.every((t) => t === 0)).toBe(true);
  });

  it('keeps a context past 2^20 tokens when the request ran with a larger window', {
    timeout: 30_000,
  }, async () => {
    const { server, provider } = await setup({
      '/api/show': showTrained(2 ** 22),
      '/api/generate': answerWith(zeros(CAP + 1)),
    });
    const answer = await provider.generate({ ...ask, numCtx: 2 ** 21 });
    const sent = server.requests.find((r) => r.path === '/api/generate');
    expect(sent?.json).toMatchObject({ options: { num_ctx: 2 ** 21 } });
    expect(answer.context).toHaveLength(CAP + 1);
  });

  it.each([
    ['a negative id', '[1,-1,2]'],
    ['a fraction', '[1,1.5,2]'],
    ['an id past 2^53', `[1,${2 ** 53},2]`],
    ['a string', '[1,"2",3]'],
    ['a null', '[1,null,3]'],
    ['a nested list', '[1,[2],3]'],
  ])('drops a context holding %s, rather than the ids around it', async (_what, context) => {
    const { provider } = await setup({ '/api/generate': answerWith(context) });
    const answer = await provider.generate(ask);
    expect(answer.content).toBe('Hello');
    expect(answer.context).toBeUndefined();
  });

  it('keeps a context of token ids as sent', async () => {
    const { provider } = await setup({ '/api/generate': answerWith('[128006,882,0,128007]') });
    expect((await provider.generate(ask)).context).toEqual([128006, 882, 0, 128007]);
  });

  it('holds no more than a few MB for an answer whose context line is 16 MB of zeros', {
    timeout: 30_000,
  }, async () => {
    // The audit's case: 8 million ids in one line under the 16 MiB `maxLineBytes`.
    const { provider } = await setup({ '/api/generate': answerWith(zeros(8_000_000)) });
    // A first call warms what the call path builds once (pool, plans, compiled code).
    await provider.generate({ ...ask, prompt: 'warm-up', cache: 'bypass' });
    const before = memoryAfterGc().heapUsed;
    const answer = await provider.generate({ ...ask, cache: 'bypass' });
    const held = memoryAfterGc().heapUsed - before;
    expect(answer.context).toBeUndefined();
    // Kept whole, those ids took ~64 MB or more of heap.
    expect(held).toBeLessThan(16 * 1024 * 1024);
  });
});
