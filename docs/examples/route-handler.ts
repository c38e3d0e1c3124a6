/**
 * A Next.js-style route handler (`app/api/chat/route.ts`) streaming a model's answer to the
 * browser: a Web `Request` in, a `Response` whose body is a `ReadableStream` out. Nothing here
 * needs Next: the handler uses only Web APIs, and the provider needs Node 20.19 or later.
 * The provider lives at module scope, so every request shares its pool, limiter, breaker and cache.
 */
import { createOllamaProvider, isOllamaError } from '@x/provider-ollama';

const provider = createOllamaProvider(); // OLLAMA_HOST, or http://localhost:11434

export async function POST(request: Request): Promise<Response> {
  const body = (await request.json().catch(() => null)) as { prompt?: unknown } | null;
  if (typeof body?.prompt !== 'string' || body.prompt === '')
    return Response.json(
      { error: 'Expected a JSON body with a non-empty `prompt`' },
      { status: 400 },
    );

  // Opening the stream first lets a refusal (open breaker, full queue, unknown model) become a
  // status code; once the first chunk is sent, a failure can only end the stream.
  const chunks = provider
    .stream({
      model: 'llama3.2',
      messages: [{ role: 'user', content: body.prompt }],
      signal: request.signal, // the browser navigates away: the generation stops
    })
    [Symbol.asyncIterator]();
  let first: IteratorResult<{ content: string }>;
  try {
    first = await chunks.next();
  } catch (error) {
    if (!isOllamaError(error)) throw error;
    return Response.json({ error: error.code }, { status: error.retryable ? 503 : 502 });
  }

  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (!first.done) controller.enqueue(encoder.encode(first.value.content));
      if (first.done) controller.close();
    },
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value.content));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return?.(); // leaving the loop aborts the request to the model
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** For tests and shutdown: closes the module's provider. */
export function close(): Promise<void> {
  return provider.close();
}
