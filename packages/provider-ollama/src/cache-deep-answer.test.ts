import { describe, expect, it } from 'vitest';
import { ask, chatChunk, chats, collect, doneChunk, fixtureSetup } from './__fixtures__/server';

const { setup } = fixtureSetup();

// Tool-call arguments nested 3,000 deep: JSON.parse builds them and the cache stores them, but
// V8's structuredClone, which copied every hit, gives up on them with a RangeError.
const DEPTH = 3_000;
const deep = JSON.parse(`{"x":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`);
const depthOf = (value: unknown): number => {
  let depth = 0;
  for (let v = value; Array.isArray(v); v = v[0]) depth++;
  return depth;
};

describe('a cached answer nested deeper than structuredClone goes', () => {
  it('is handed back by every hit, whole and streamed, not a RangeError', async () => {
    const answer = [
      chatChunk('', {
        message: {
          role: 'assistant',
          content: '',
          tool_calls: [{ function: { name: 'f', arguments: deep } }],
        },
      }),
      doneChunk(),
    ];
    const { server, provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(answer.join(''));
      },
    });
    const request = ask('deep', {
      temperature: 0,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    });
    const live = await provider.complete(request);
    expect(depthOf(live.toolCalls[0]!.arguments.x)).toBe(DEPTH);
    const hit = await provider.complete(request);
    expect(hit.cached).toBe(true);
    expect(depthOf(hit.toolCalls[0]!.arguments.x)).toBe(DEPTH);
    // A copy: changing it leaves the next hit's answer whole.
    hit.toolCalls[0]!.arguments.x = 'changed';
    const replayed = await collect(provider.stream(request));
    const calls = replayed.flatMap((chunk) => chunk.toolCalls ?? []);
    expect(depthOf(calls[0]!.arguments.x)).toBe(DEPTH);
    expect(depthOf(replayed.at(-1)!.response!.toolCalls[0]!.arguments.x)).toBe(DEPTH);
    expect(chats(server)).toHaveLength(1);
  });
});
