import { type Handler, type RouteServer, startRouteServer } from '@x/internal/testing';
import { createOpenAIProvider } from '@x/provider-openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createRouter } from './router';

// A conversation the router moves from OpenAI to another server: an earlier spoken answer's
// `audio: { id }` is OpenAI's own (no other server issued the id; Groq answers 400 to a message
// field it does not know), so the second deployment's provider leaves it out of the history.
// Two fake servers on 127.0.0.1: an OpenAI-preset one that fails, a Groq-preset one that answers.

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

const answer = (content: string) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1_764_115_200,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
});

const reply =
  (status: number, body: unknown): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

/** Groq's answer to an assistant message with a field its schema lacks. */
const strict: Handler = (req, res, received) => {
  const messages = (received.json?.messages ?? []) as Array<Record<string, unknown>>;
  const unknown = messages.some((m) => 'audio' in m || 'refusal' in m);
  const body = unknown
    ? {
        error: {
          message: "'messages.1' : for 'role:assistant' the following must be satisfied",
          type: 'invalid_request_error',
        },
      }
    : answer('Hello again!');
  return reply(unknown ? 400 : 200, body)(req, res, received);
};

async function server(handler: Handler): Promise<RouteServer> {
  const s = await startRouteServer({ '/v1/chat/completions': handler });
  open.push(s);
  return s;
}

describe('a fallback from OpenAI to another server', () => {
  it("leaves an earlier spoken answer's audio id out of the second server's history", async () => {
    const first = await server(
      reply(503, { error: { message: 'overloaded', type: 'server_error' } }),
    );
    const second = await server(strict);
    const off = { retry: false, cache: false, rateLimit: false, completeAs: 'whole' } as const;
    const openai = createOpenAIProvider({
      preset: 'openai',
      baseUrl: `${first.url}/v1`,
      apiKey: 'sk-test',
      ...off,
    });
    const groq = createOpenAIProvider({
      preset: 'groq',
      baseUrl: `${second.url}/v1`,
      apiKey: 'gsk-test',
      ...off,
    });
    const router = createRouter({
      deployments: [
        { id: 'openai', group: 'chat', provider: openai, model: 'gpt-4o-audio-preview' },
        { id: 'groq', group: 'chat', provider: groq, model: 'llama-3.3-70b', priority: 1 },
      ],
      cooldown: false,
    });
    open.push(openai, groq, router);
    const result = await router.complete({
      model: 'chat',
      messages: [
        { role: 'user', content: 'Say hello' },
        { role: 'assistant', content: '', audio: { id: 'audio_abc123' } },
        { role: 'user', content: 'Again, in writing' },
      ],
    });
    expect(result.content).toBe('Hello again!');
    expect(result.route).toMatchObject({ deployment: 'groq' });
    const toOpenAI = first.requests[0]!.json!.messages as Array<Record<string, unknown>>;
    expect(toOpenAI[1]).toEqual({
      role: 'assistant',
      content: null,
      audio: { id: 'audio_abc123' },
    });
    const toGroq = second.requests[0]!.json!.messages as Array<Record<string, unknown>>;
    expect(toGroq[1]).toEqual({ role: 'assistant', content: '' });
    expect(second.requests).toHaveLength(1);
  });
});
