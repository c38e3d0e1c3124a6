import { isPlainObject } from '@x/internal';
import { cloudPassthrough } from '../cloud-passthrough';
import type { Exchange, SimContext } from '../context';
import { responsesWriter } from '../openai-responses-answer';
import { fromResponsesRequest } from '../openai-responses-request';
import { runChat } from './generation';

// `POST /v1/responses`: rewritten as the native chat request Ollama's ResponsesMiddleware builds,
// run through the native chat handler, answered as one `response` object. Two things Ollama does
// are not simulated and answered with the simulator's own 501: a streamed response (its event
// stream), and the built-in `web_search` tool (Ollama searches the web through ollama.com).

const NOT_SIMULATED = 501;

export function responses(ctx: SimContext, ex: Exchange): Promise<void> {
  const refused = cloudPassthrough(ctx, ex, ex.body.model, 'chat');
  if (refused !== undefined) return refused;
  const rewritten = fromResponsesRequest(ex.body);
  if ('error' in rewritten) {
    const answer = ex.out.dialect.requestError(400, rewritten.error);
    return ex.out.send(400, answer.body, answer.type);
  }
  if (ex.body.stream === true)
    return ex.out.sendError(NOT_SIMULATED, 'ollama-sim: streamed /v1/responses is not simulated');
  const tools = Array.isArray(ex.body.tools) ? ex.body.tools : [];
  if (tools.some((t) => isPlainObject(t) && t.type === 'web_search'))
    return ex.out.sendError(
      NOT_SIMULATED,
      'ollama-sim: the web_search tool of /v1/responses is not simulated',
    );
  return runChat(ctx, { ...ex, body: rewritten.native }, responsesWriter(rewritten.request));
}
