import { isPlainObject } from '@x/internal';
import {
  contextShiftOf,
  expireRunner,
  keepAliveOf,
  release,
  runnerOptionsFor,
  takeSlot,
  windowFor,
} from '../admission';
import { type Exchange, nowNs, type SimContext, sendError } from '../context';
import { type EmbedJob, embeddingsJson } from '../embedding';
import { goJson } from '../go-json';
import { localModel, nameOf } from '../model-lookup';
import { runnerCrashText } from '../runner-crash';
import { estimateTextTokens } from '../text';
import { checkFields, checkOptions, EMBED_FIELDS, EMBEDDINGS_FIELDS } from '../validate';
import { JSON_TYPE } from '../wire';

// `/api/embed` (batch, `input` → `embeddings`) and the legacy `/api/embeddings` (`prompt` →
// `embedding`).

/**
 * llama-server's refusal of an embedding on a runner launched without `--embedding`, which Ollama
 * launches only for a model with pooling (llm/llama_server.go): EmbedHandler schedules the model
 * whatever its capabilities, so a chat model loads and then passes this text on with its 501.
 */
const NO_EMBEDDINGS = 'This server does not support embeddings. Start it with `--embeddings`';

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

/** The vectors of one embed request, and what it reports about them. */
export interface EmbedResult {
  /** The request's model name as sent. */
  readonly model: string;
  readonly job: EmbedJob;
  /** Prompt tokens evaluated (inputs longer than the window count the window). */
  readonly count: number;
  /** `nowNs()` when the request started and when its model was ready. */
  readonly start: number;
  readonly loaded: number;
}

/** Writes an embed answer: native (`embeddings`, legacy `embedding`) or the /v1 list. */
export type EmbedOutput = (ex: Exchange, result: EmbedResult) => Promise<void>;

async function nativeOutput(ex: Exchange, r: EmbedResult): Promise<void> {
  const vectors = await embeddingsJson(r.job, ex.life);
  if (vectors === undefined) return;
  const end = nowNs();
  const totalNs = Math.max(Math.round(end - r.start), 1000);
  const loadNs = Math.max(Math.round(r.loaded - r.start), 1000);
  const text =
    `{"model":${goJson(r.model)},"embeddings":[${vectors.join(',')}],` +
    `"total_duration":${Math.max(totalNs, loadNs)},"load_duration":${loadNs},"prompt_eval_count":${r.count}}`;
  return ex.out.send(200, text);
}

async function legacyOutput(ex: Exchange, r: EmbedResult): Promise<void> {
  const vectors = await embeddingsJson(r.job, ex.life);
  if (vectors === undefined) return;
  return ex.out.send(200, `{"embedding":${vectors[0] ?? '[]'}}`, JSON_TYPE);
}

export function embed(ctx: SimContext, ex: Exchange): Promise<void> {
  return runEmbed(ctx, ex, nativeOutput);
}

export function embeddings(ctx: SimContext, ex: Exchange): Promise<void> {
  return runEmbed(ctx, ex, legacyOutput, true);
}

/** An embed request (native, legacy, or rewritten from /v1/embeddings) answered by `output`. */
export async function runEmbed(
  ctx: SimContext,
  ex: Exchange,
  output: EmbedOutput,
  legacy = false,
): Promise<void> {
  const { body, out, life } = ex;
  const bad = legacy
    ? checkFields(body, EMBEDDINGS_FIELDS, 'EmbeddingRequest', ctx.opts.keepAliveMs)
    : checkFields(body, EMBED_FIELDS, 'EmbedRequest', ctx.opts.keepAliveMs);
  if (bad !== undefined) return sendError(out, 400, bad);
  const model = typeof body.model === 'string' ? body.model : '';
  const route = legacy ? 'embeddings' : 'embed';
  // The name is checked before the input, the model looked up after (EmbedHandler).
  const name = nameOf(route, model, ctx.opts.cloudDisabled);
  if (typeof name !== 'string') return sendError(out, name[0], name[1]);
  const inputs = inputsOf(body, legacy);
  if (typeof inputs === 'string') return sendError(out, 400, inputs);
  const rt = localModel(ctx.store, route, model, name);
  if (Array.isArray(rt)) return sendError(out, rt[0], rt[1]);
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
  // EmbedHandler schedules without a `shift`: a runner loaded by a chat with another setting is
  // reloaded.
  const setup = {
    numCtx,
    contextShift: contextShiftOf(rt.model, undefined),
    options: runnerOptionsFor(rt.model, options, numCtx),
  };
  const start = nowNs();
  if (!(await takeSlot(ctx, rt, setup, keepAliveMs, life, out))) return;
  try {
    // Nothing to embed: the model was only loaded (it shows in /api/ps), as in Ollama.
    if (!legacy && inputs.length === 0)
      return await out.send(200, goJson({ model, embeddings: [] }));
    const crash = out.runnerCrash;
    if (crash !== undefined) {
      // EmbedHandler answers a runner's failure with 400 (500 for a StatusError, which this is
      // not), the legacy handler with 500; both trim the text.
      expireRunner(rt);
      return await sendError(out, legacy ? 500 : 400, runnerCrashText(crash).trim());
    }
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
    // The legacy handler answers every runner error as a 500.
    if (inputs.length > 0 && !rt.model.capabilities.includes('embedding'))
      return await sendError(out, legacy ? 500 : 501, NO_EMBEDDINGS);
    const promptRate = ctx.opts.promptTokensPerSecond;
    if (Number.isFinite(promptRate)) await life.sleep((count / promptRate) * 1000);
    if (life.aborted) return;
    ctx.counters.promptTokens += count;
    const job: EmbedJob = {
      model: rt.model.key,
      inputs,
      dims,
      cut,
      onVector: () => {
        ctx.counters.embeddings++;
      },
    };
    return await output(ex, { model, job, count, start, loaded });
  } finally {
    release(ctx, rt, keepAliveMs);
  }
}
