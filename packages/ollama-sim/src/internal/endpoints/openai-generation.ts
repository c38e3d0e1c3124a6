import { cloudPassthrough } from '../cloud-passthrough';
import type { Exchange, SimContext } from '../context';
import { openAiWriter } from '../openai-answer';
import { fromChatRequest, fromCompletionRequest, type Rewritten } from '../openai-request';
import { runChat, runGenerate } from './generation';

// `POST /v1/chat/completions` and `POST /v1/completions`: the request is rewritten as the native
// one Ollama's middleware builds, runs through the native chat or generate handler (checks,
// admission, the seeded completion), and is answered in OpenAI's shapes.

/** The middleware's own 400 (gin's JSON, as for a body that does not decode). */
function rejected(ex: Exchange, error: string): Promise<void> {
  const answer = ex.out.dialect.requestError(400, error);
  return ex.out.send(400, answer.body, answer.type);
}

function run(
  ctx: SimContext,
  ex: Exchange,
  rewritten: Rewritten,
  handler: typeof runChat,
): Promise<void> {
  if ('error' in rewritten) return rejected(ex, rewritten.error);
  return handler(ctx, { ...ex, body: rewritten.native }, openAiWriter(rewritten.v1));
}

export function chatCompletions(ctx: SimContext, ex: Exchange): Promise<void> {
  return (
    cloudPassthrough(ctx, ex, ex.body.model, 'chat') ??
    run(ctx, ex, fromChatRequest(ex.body), runChat)
  );
}

export function completions(ctx: SimContext, ex: Exchange): Promise<void> {
  return (
    cloudPassthrough(ctx, ex, ex.body.model, 'chat') ??
    run(ctx, ex, fromCompletionRequest(ex.body), runGenerate)
  );
}
