/**
 * A Fastify route answering a question with a local model: the provider is created once per
 * process (its pool, limiter, breaker and cache are shared by every request), the caller's
 * disconnect aborts the call, and typed errors become HTTP statuses.
 * Run: `OLLAMA_HOST=http://127.0.0.1:11434 npx tsx fastify-route.ts`, then
 * `curl localhost:3000/ask -H 'content-type: application/json' -d '{"question":"Why is the sky blue?"}'`
 */
import { fileURLToPath } from 'node:url';
import { createOllamaProvider, isOllamaError, type OllamaProvider } from '@x/provider-ollama';
import Fastify, { type FastifyInstance } from 'fastify';

export function buildApp(provider: OllamaProvider = createOllamaProvider()): FastifyInstance {
  const app = Fastify();
  app.addHook('onClose', () => provider.close());

  app.post<{ Body: { question: string } }>(
    '/ask',
    {
      schema: {
        body: {
          type: 'object',
          required: ['question'],
          properties: { question: { type: 'string', minLength: 1, maxLength: 4000 } },
        },
      },
    },
    async (request, reply) => {
      // The browser went away: stop generating (the provider frees its socket and limiter slot).
      // The response's 'close', not the request's: Node closes the request once its body is read.
      const abort = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      try {
        const answer = await provider.complete({
          model: 'llama3.2',
          messages: [{ role: 'user', content: request.body.question }],
          temperature: 0, // deterministic, so the provider's cache may answer the next asker
          signal: abort.signal,
        });
        return { answer: answer.content, cached: answer.cached, tokens: answer.usage.totalTokens };
      } catch (error) {
        if (!isOllamaError(error)) throw error;
        // Overloaded or open breaker: tell the client when to come back. Otherwise a 502.
        if (error.retryable && error.retryAfterMs !== undefined && error.retryAfterMs !== Infinity)
          reply.header('retry-after', Math.ceil(error.retryAfterMs / 1000));
        return reply.code(error.retryable ? 503 : 502).send({ error: error.code });
      }
    },
  );
  return app;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const app = buildApp();
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.close());
}
