import { isPlainObject } from '@x/internal';
import { keepAliveOf, release, takeSlot, windowFor } from '../admission';
import { type Exchange, nowNs, type SimContext, sendError } from '../context';
import { embeddingsJson } from '../embedding';
import { goJson, goQuote } from '../go-json';
import { JSON_TYPE } from '../responder';
import { estimateTextTokens } from '../text';
import { checkFields, checkOptions, EMBED_FIELDS, EMBEDDINGS_FIELDS } from '../validate';

// `/api/embed` (batch, `input` → `embeddings`) and the legacy `/api/embeddings` (`prompt` →
// `embedding`).

/** The inputs of a request, or the error text Ollama answers (400). */
function inputsOf(body: Record<string, unknown>, legacy: boolean): string[] | string {
  if (legacy) return typeof body.prompt === 'string' && body.prompt !== '' ? [body.prompt] : [];
  const input = body.input;
  if (typeof input === 'string') return input === '' ? [] : [input];
  if (Array.isArray(input)) {
    if (input.some((v) => typeof v !== 'string')) return 'invalid input type';
    return input as string[];
  }
  if (input === undefined || input === null) return [];
  return 'invalid input type';
}

export function embed(ctx: SimContext, ex: Exchange): Promise<void> {
  return run(ctx, ex, false);
}

export function embeddings(ctx: SimContext, ex: Exchange): Promise<void> {
  return run(ctx, ex, true);
}

async function run(ctx: SimContext, ex: Exchange, legacy: boolean): Promise<void> {
  const { body, out, life } = ex;
  const bad = legacy
    ? checkFields(body, EMBEDDINGS_FIELDS, 'EmbeddingRequest', ctx.opts.keepAliveMs)
    : checkFields(body, EMBED_FIELDS, 'EmbedRequest', ctx.opts.keepAliveMs);
  if (bad !== undefined) return sendError(out, 400, bad);
  const model = typeof body.model === 'string' ? body.model : '';
  const inputs = inputsOf(body, legacy);
  if (typeof inputs === 'string') return sendError(out, 400, inputs);
  if (!legacy && inputs.length === 0) return out.send(200, goJson({ model, embeddings: [] }));
  const rt = ctx.store.find(model);
  if (rt === undefined) return sendError(out, 404, `model '${model}' not found`);
  const caps = rt.model.capabilities;
  if (!caps.includes('embedding') && !caps.includes('completion'))
    return sendError(out, 400, `${goQuote(model)} does not support embeddings`);
  const options = isPlainObject(body.options) ? body.options : undefined;
  const badOption = checkOptions(options);
  if (badOption !== undefined) return sendError(out, 500, badOption);
  if (inputs.length > ctx.opts.maxEmbedInputs)
    return sendError(
      out,
      400,
      `too many inputs: ${inputs.length}, the maximum is ${ctx.opts.maxEmbedInputs}`,
    );
  const dims = rt.model.embeddingLength;
  const cut =
    typeof body.dimensions === 'number' && body.dimensions > 0
      ? Math.min(dims, body.dimensions)
      : dims;
  if (inputs.length * cut > ctx.opts.maxEmbedValues)
    return sendError(
      out,
      400,
      `embeddings too large: ${inputs.length} inputs of ${cut} dimensions exceed ${ctx.opts.maxEmbedValues} values`,
    );
  const keepAliveMs = keepAliveOf(ctx, body);
  const numCtx = windowFor(ctx, rt.model, options);
  const start = nowNs();
  if (!(await takeSlot(ctx, rt, numCtx, keepAliveMs, life, out))) return;
  try {
    const loaded = nowNs();
    let count = 0;
    for (const input of inputs) {
      const n = estimateTextTokens(input, ctx.opts.tokensPerChar) + 2;
      if (n > numCtx) {
        if (body.truncate === false)
          return await sendError(out, 400, 'the input length exceeds the context length');
        count += numCtx;
      } else count += n;
    }
    const promptRate = ctx.opts.promptTokensPerSecond;
    if (Number.isFinite(promptRate)) await life.sleep((count / promptRate) * 1000);
    if (life.aborted) return;
    ctx.counters.promptTokens += count;
    const vectors = await embeddingsJson(
      {
        model: rt.model.key,
        inputs,
        dims,
        cut,
        onVector: () => {
          ctx.counters.embeddings++;
        },
      },
      life,
    );
    if (vectors === undefined) return;
    const end = nowNs();
    if (legacy) return await out.send(200, `{"embedding":${vectors[0] ?? '[]'}}`, JSON_TYPE);
    const totalNs = Math.max(Math.round(end - start), 1000);
    const loadNs = Math.max(Math.round(loaded - start), 1000);
    const text =
      `{"model":${goJson(model)},"embeddings":[${vectors.join(',')}],` +
      `"total_duration":${Math.max(totalNs, loadNs)},"load_duration":${loadNs},"prompt_eval_count":${count}}`;
    return await out.send(200, text);
  } finally {
    release(ctx, rt, keepAliveMs);
  }
}
