import type { Exchange, SimContext } from './context';
import { goJson } from './go-json';
import { cloudRefusal } from './model-lookup';
import { parseModelRef } from './model-name';
import { JSON_TYPE } from './wire';

/**
 * Ollama's cloud passthrough on `/v1` (cloudPassthroughMiddleware and
 * cloudModelPathPassthroughMiddleware, server/cloud_proxy.go): it runs before the OpenAI
 * middleware and sends an explicit cloud model to ollama.com as it is, so with cloud off its 403
 * is gin's native `{"error":"..."}`, before the OpenAI layer has checked anything. Undefined when
 * the request goes on.
 */
export function cloudPassthrough(
  ctx: SimContext,
  ex: Exchange,
  model: unknown,
  route: 'chat' | 'show',
): Promise<void> | undefined {
  if (!ctx.opts.cloudDisabled || typeof model !== 'string') return undefined;
  const ref = parseModelRef(model);
  if ('error' in ref || !ref.cloud) return undefined;
  const [status, text] = cloudRefusal(route);
  return ex.out.send(status, goJson({ error: text }), JSON_TYPE);
}
