import { cloudPassthrough } from '../cloud-passthrough';
import type { Exchange, SimContext } from '../context';
import { embeddingTexts } from '../embedding';
import { goJson } from '../go-json';
import { fromEmbedRequest } from '../openai-request';
import { OPENAI_JSON_TYPE } from '../wire';
import { type EmbedResult, runEmbed } from './embed';

// `POST /v1/embeddings`: checked and rewritten as Ollama's middleware does, embedded by the native
// handler, answered as an OpenAI embedding list (openai.ToEmbeddingList): float arrays, or base64
// of the little-endian float32 bytes, and `usage.prompt_tokens`.

function listOutput(base64: boolean) {
  return async (ex: Exchange, r: EmbedResult): Promise<void> => {
    const vectors = await embeddingTexts(r.job, ex.life, base64 ? 'base64' : 'json');
    if (vectors === undefined) return;
    ex.quota?.charge(r.count);
    const data = vectors
      .map((v, i) => `{"object":"embedding","embedding":${base64 ? `"${v}"` : v},"index":${i}}`)
      .join(',');
    const usage = `{"prompt_tokens":${r.count},"total_tokens":${r.count}}`;
    const text = `{"object":"list","data":[${data}],"model":${goJson(r.model)},"usage":${usage}}\n`;
    return ex.out.send(200, text, OPENAI_JSON_TYPE);
  };
}

export function embeddingsV1(ctx: SimContext, ex: Exchange): Promise<void> {
  const refused = cloudPassthrough(ctx, ex, ex.body.model, 'chat');
  if (refused !== undefined) return refused;
  const rewritten = fromEmbedRequest(ex.body);
  if ('error' in rewritten) {
    const answer = ex.out.dialect.requestError(400, rewritten.error);
    return ex.out.send(400, answer.body, answer.type);
  }
  return runEmbed(ctx, { ...ex, body: rewritten.native }, listOutput(rewritten.base64));
}
