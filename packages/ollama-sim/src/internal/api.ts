import { isPlainObject } from '@x/internal';
import type { ResolvedModel, ResolvedOptions } from '../options';
import { fullModelName, resolveModel } from '../options';
import { type Completion, complete, contextIds } from './completion';
import { embeddingJson } from './embedding';
import { parseKeepAlive } from './go-duration';
import { goJson, goQuote } from './go-json';
import { goTimeUtc } from './go-time';
import type { Life } from './life';
import { psEntry, runnerSize, showBody, tagsEntry } from './model-json';
import { JSON_TYPE, type Responder } from './responder';
import { ModelRuntime, type Scheduler } from './scheduler';
import { estimateTextTokens } from './text';
import {
  CHAT_FIELDS,
  checkFields,
  checkMessages,
  checkOptions,
  EMBED_FIELDS,
  EMBEDDINGS_FIELDS,
  GENERATE_FIELDS,
  SHOW_FIELDS,
} from './validate';

type Json = Record<string, unknown>;

export const BUSY_TEXT = 'server busy, please try again.  maximum pending requests exceeded';
const OVERFLOW_TEXT =
  'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length';

export interface Exchange {
  readonly body: Json;
  readonly life: Life;
  readonly out: Responder;
}

/** Counters the handlers maintain (read by stats()). */
export interface ApiCounters {
  promptTokens: number;
  evalTokens: number;
  streams: number;
  truncatedPrompts: number;
}

const nowNs = () => performance.now() * 1e6;

// Generated tokens come from a small vocabulary: their JSON text is worth keeping.
const tokenCache = new Map<string, string>();
function tokenJson(token: string): string {
  let json = tokenCache.get(token);
  if (json === undefined) {
    json = goJson(token);
    if (tokenCache.size < 4096) tokenCache.set(token, json);
  }
  return json;
}

/** Ollama's API handlers over a set of simulated models. */
export class OllamaApi {
  readonly runtimes: ModelRuntime[];
  private readonly byKey = new Map<string, ModelRuntime>();
  private readonly lookupCache = new Map<string, ModelRuntime | null>();
  private readonly showCache = new Map<ModelRuntime, string>();
  private tagsCache: string | undefined;
  readonly counters: ApiCounters = {
    promptTokens: 0,
    evalTokens: 0,
    streams: 0,
    truncatedPrompts: 0,
  };

  constructor(
    private readonly opts: ResolvedOptions,
    private readonly scheduler: Scheduler,
  ) {
    this.runtimes = opts.models.map((m, i) => new ModelRuntime(resolveModel(m, i, opts)));
    for (const rt of this.runtimes) this.byKey.set(rt.model.key, rt);
  }

  /** Case-insensitive lookup with `:latest` implied; memoised because the hot path calls it per request. */
  find(name: string): ModelRuntime | undefined {
    const hit = this.lookupCache.get(name);
    if (hit !== undefined) return hit ?? undefined;
    const rt = this.byKey.get(fullModelName(name).toLowerCase());
    if (this.lookupCache.size < 1024) this.lookupCache.set(name, rt ?? null);
    return rt;
  }

  private error(out: Responder, status: number, text: string): Promise<void> {
    return out.send(status, goJson({ error: text }));
  }

  version(out: Responder): Promise<void> {
    return out.send(200, goJson({ version: this.opts.version }));
  }

  tags(out: Responder): Promise<void> {
    this.tagsCache ??= goJson({
      models: this.runtimes
        .map((rt) => rt.model)
        .sort((a, b) => b.modifiedAtMs - a.modifiedAtMs)
        .map(tagsEntry),
    });
    return out.send(200, this.tagsCache);
  }

  ps(out: Responder): Promise<void> {
    const now = Date.now();
    const loaded = this.runtimes
      .map((rt) => ({ rt, state: rt.current(now) }))
      .filter((x) => x.state !== undefined)
      .sort((a, b) => b.state!.expiresAtMs - a.state!.expiresAtMs)
      .map((x) => psEntry(x.rt.model, x.state!));
    return out.send(200, goJson({ models: loaded }));
  }

  show({ body, out }: Exchange): Promise<void> {
    const bad = checkFields(body, SHOW_FIELDS, 'ShowRequest', this.opts.keepAliveMs);
    if (bad !== undefined) return this.error(out, 400, bad);
    const name = (body.model as string | undefined) || (body.name as string | undefined) || '';
    if (name === '') return this.error(out, 400, 'model is required');
    const rt = this.find(name);
    if (rt === undefined) return this.error(out, 404, `model '${name}' not found`);
    let text = this.showCache.get(rt);
    if (text === undefined) {
      text = showBody(rt.model, rt.model.numCtx);
      this.showCache.set(rt, text);
    }
    return out.send(200, text);
  }

  private windowFor(model: ResolvedModel, options: Json | undefined): number {
    const requested = options?.num_ctx;
    const base =
      typeof requested === 'number' && requested > 0
        ? Math.trunc(requested)
        : (model.numCtx ?? this.opts.defaultNumCtx);
    return Math.min(base, model.contextLength);
  }

  /**
   * Takes a slot (or refuses with 503) and loads the model with this window. Returns the runtime
   * to release, or undefined when the request is over (answered or aborted).
   */
  private async schedule(
    rt: ModelRuntime,
    numCtx: number,
    keepAliveMs: number,
    life: Life,
    out: Responder,
  ): Promise<boolean> {
    const slot = this.scheduler.acquire(rt, life);
    if (slot === 'busy') {
      await this.error(out, 503, BUSY_TEXT);
      return false;
    }
    if (slot !== true && !(await slot)) return false;
    if (life.aborted) {
      this.scheduler.release(rt);
      return false;
    }
    await this.ensureLoaded(rt, numCtx, life);
    if (life.aborted) {
      this.scheduler.release(rt);
      return false;
    }
    this.touch(rt, keepAliveMs);
    return true;
  }

  private async ensureLoaded(rt: ModelRuntime, numCtx: number, life: Life): Promise<void> {
    for (;;) {
      if (rt.isLoaded(numCtx, Date.now())) return;
      if (rt.loading !== undefined) {
        await rt.loading.done;
        if (life.aborted) return;
        continue;
      }
      const ms = rt.model.loadTimeMs;
      const done = life.sleep(ms).then(() => {
        rt.loading = undefined;
        if (life.aborted) return; // a disconnect aborts the load, as in Ollama
        rt.loads++;
        rt.loaded = {
          numCtx,
          expiresAtMs: Number.POSITIVE_INFINITY,
          sizeVram: runnerSize(rt.model, numCtx),
        };
      });
      rt.loading = { numCtx, done };
      await done;
      if (life.aborted) return;
    }
  }

  private touch(rt: ModelRuntime, keepAliveMs: number): void {
    if (rt.loaded !== undefined) rt.loaded.expiresAtMs = Date.now() + keepAliveMs;
  }

  /** After a request: keep_alive 0 unloads once idle. */
  private finish(rt: ModelRuntime, keepAliveMs: number): void {
    this.touch(rt, keepAliveMs);
    this.scheduler.release(rt);
    if (keepAliveMs === 0 && rt.active === 0) rt.loaded = undefined;
  }

  private toolsName(rt: ModelRuntime): string {
    const name = rt.model.name;
    return name.includes('/') ? `registry.ollama.ai/${name}` : `registry.ollama.ai/library/${name}`;
  }

  /**
   * The steps chat and generate share once their own checks passed: Ollama's common checks, the
   * keep_alive, the context window, and a slot in the model's queue. Undefined when an error was
   * answered or the client went away while queued.
   */
  private async begin(
    ex: Exchange,
    model: string,
    route: 'chat' | 'generate',
  ): Promise<
    | {
        rt: ModelRuntime;
        keepAliveMs: number;
        options: Json | undefined;
        numCtx: number;
        start: number;
      }
    | undefined
  > {
    const { body, out, life } = ex;
    const rt = this.find(model);
    const pre = this.precheck(body, model, rt, route);
    if (pre !== undefined || rt === undefined) {
      await this.error(out, pre?.[0] ?? 404, pre?.[1] ?? `model '${model}' not found`);
      return undefined;
    }
    const keepAliveMs = (parseKeepAlive(body.keep_alive, this.opts.keepAliveMs) as { ms: number })
      .ms;
    const options = isPlainObject(body.options) ? body.options : undefined;
    const numCtx = this.windowFor(rt.model, options);
    const start = nowNs();
    if (!(await this.schedule(rt, numCtx, keepAliveMs, life, out))) return undefined;
    return { rt, keepAliveMs, options, numCtx, start };
  }

  /** Common checks of chat and generate, in Ollama's order. Returns an error [status, text] or undefined. */
  private precheck(
    body: Json,
    model: string,
    rt: ModelRuntime | undefined,
    route: 'chat' | 'generate',
  ): [number, string] | undefined {
    const top = body.top_logprobs;
    if (typeof top === 'number' && (top < 0 || top > 20))
      return [400, 'top_logprobs must be between 0 and 20'];
    if (rt === undefined) return [404, `model '${model}' not found`];
    const caps = rt.model.capabilities;
    const think = body.think;
    if ((think === true || typeof think === 'string') && !caps.includes('thinking'))
      return [400, `${goQuote(model)} does not support thinking`];
    if (!caps.includes('completion')) return [400, `${goQuote(model)} does not support ${route}`];
    if (
      route === 'generate' &&
      typeof body.suffix === 'string' &&
      body.suffix !== '' &&
      !caps.includes('insert')
    )
      return [400, `${goQuote(model)} does not support insert`];
    if (Array.isArray(body.tools) && body.tools.length > 0 && !caps.includes('tools'))
      return [400, `${this.toolsName(rt)} does not support tools`];
    const badOption = checkOptions(isPlainObject(body.options) ? body.options : undefined);
    if (badOption !== undefined) return [500, badOption];
    return undefined;
  }

  async chat(ex: Exchange): Promise<void> {
    const { body, out } = ex;
    const bad =
      checkFields(body, CHAT_FIELDS, 'ChatRequest', this.opts.keepAliveMs) ??
      checkMessages(body.messages);
    if (bad !== undefined) return this.error(out, 400, bad);
    const model = typeof body.model === 'string' ? body.model : '';
    if (model === '') return this.error(out, 400, 'model is required');
    const begun = await this.begin(ex, model, 'chat');
    if (begun === undefined) return;
    const { rt, keepAliveMs, options, numCtx, start } = begun;
    try {
      const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
      if (messages.length === 0) {
        const reason = body.keep_alive === 0 || body.keep_alive === '0' ? 'unload' : 'load';
        const text = goJson({
          model,
          created_at: goTimeUtc(Date.now()),
          message: { role: 'assistant', content: '' },
          done: true,
          done_reason: reason,
        });
        if (reason === 'unload') rt.loaded = undefined;
        return await out.send(200, text);
      }
      // Rendered-prompt estimate and the seed text, in one pass over the messages.
      const tpc = this.opts.tokensPerChar;
      let tokens = 4; // BOS + assistant header
      let seedText = '';
      let lastRole: string | undefined;
      let lastUser = '';
      for (const m of messages) {
        if (!isPlainObject(m)) continue;
        const role = typeof m.role === 'string' ? m.role : '';
        const content = typeof m.content === 'string' ? m.content : '';
        tokens += 4 + estimateTextTokens(content, tpc);
        if (Array.isArray(m.images)) tokens += 768 * m.images.length;
        seedText += `${role}\u0000${content}\u0000`;
        lastRole = role;
        if (role === 'user') lastUser = content;
      }
      const tools = Array.isArray(body.tools) && body.tools.length > 0 ? body.tools : undefined;
      if (tools !== undefined) {
        const toolsText = JSON.stringify(tools);
        tokens += estimateTextTokens(toolsText, tpc);
        seedText += toolsText;
      }
      const thinking = rt.model.capabilities.includes('thinking') && body.think !== false;
      const completion = complete({
        route: '/api/chat',
        model,
        modelKey: rt.model.key,
        body,
        promptText: seedText,
        prompt: lastUser,
        thinking,
        tools,
        lastRole,
        numPredict: typeof options?.num_predict === 'number' ? options.num_predict : -1,
        simSeed: this.opts.seed,
        requestSeed:
          typeof options?.seed === 'number' && options.seed >= 0 ? options.seed : undefined,
        responseTokens: this.opts.responseTokens,
        reply: this.opts.reply,
        tokensPerChar: tpc,
      });
      await this.run(
        ex,
        rt,
        model,
        'chat',
        tokens,
        numCtx,
        completion,
        start,
        body.truncate === false,
      );
    } finally {
      this.finish(rt, keepAliveMs);
    }
  }

  async generate(ex: Exchange): Promise<void> {
    const { body, out } = ex;
    const bad = checkFields(body, GENERATE_FIELDS, 'GenerateRequest', this.opts.keepAliveMs);
    if (bad !== undefined) return this.error(out, 400, bad);
    const model = typeof body.model === 'string' ? body.model : '';
    if (model === '') return this.error(out, 404, "model '' not found");
    if (body.raw === true && (body.template || body.system || Array.isArray(body.context)))
      return this.error(out, 400, 'raw mode does not support template, system, or context');
    const begun = await this.begin(ex, model, 'generate');
    if (begun === undefined) return;
    const { rt, keepAliveMs, options, numCtx, start } = begun;
    try {
      const prompt = typeof body.prompt === 'string' ? body.prompt : '';
      if (prompt === '' && !Array.isArray(body.images)) {
        const reason = body.keep_alive === 0 || body.keep_alive === '0' ? 'unload' : 'load';
        if (reason === 'unload') rt.loaded = undefined;
        return await out.send(
          200,
          goJson({
            model,
            created_at: goTimeUtc(Date.now()),
            response: '',
            done: true,
            done_reason: reason,
          }),
        );
      }
      const tpc = this.opts.tokensPerChar;
      const system = typeof body.system === 'string' ? body.system : '';
      const suffix = typeof body.suffix === 'string' ? body.suffix : '';
      let tokens =
        body.raw === true
          ? 1 + estimateTextTokens(prompt, tpc)
          : 12 + estimateTextTokens(prompt, tpc) + estimateTextTokens(system, tpc);
      tokens += estimateTextTokens(suffix, tpc);
      if (Array.isArray(body.context)) tokens += body.context.length;
      if (Array.isArray(body.images)) tokens += 768 * body.images.length;
      const thinking = rt.model.capabilities.includes('thinking') && body.think !== false;
      const completion = complete({
        route: '/api/generate',
        model,
        modelKey: rt.model.key,
        body,
        promptText: `${system}\u0000${prompt}\u0000${suffix}`,
        prompt,
        thinking,
        tools: undefined,
        lastRole: 'user',
        numPredict: typeof options?.num_predict === 'number' ? options.num_predict : -1,
        simSeed: this.opts.seed,
        requestSeed:
          typeof options?.seed === 'number' && options.seed >= 0 ? options.seed : undefined,
        responseTokens: this.opts.responseTokens,
        reply: this.opts.reply,
        tokensPerChar: tpc,
      });
      await this.run(ex, rt, model, 'generate', tokens, numCtx, completion, start, false);
    } finally {
      this.finish(rt, keepAliveMs);
    }
  }

  /** Prompt evaluation, generation and the response (streamed or whole), with Ollama's counters. */
  private async run(
    ex: Exchange,
    rt: ModelRuntime,
    model: string,
    route: 'chat' | 'generate',
    promptTokens: number,
    numCtx: number,
    completion: Completion,
    start: number,
    noTruncate: boolean,
  ): Promise<void> {
    const { body, out, life } = ex;
    let promptEvalCount = promptTokens;
    if (promptTokens > numCtx) {
      if (noTruncate || rt.model.contextOverflow === 'error')
        return this.error(out, 400, OVERFLOW_TEXT);
      // The runner keeps num_keep tokens and the tail, about half the window: num_ctx/2 + 2.
      promptEvalCount = Math.min(promptTokens, Math.floor(numCtx / 2) + 2);
      this.counters.truncatedPrompts++;
    }
    const loaded = nowNs();
    const promptRate = this.opts.promptTokensPerSecond;
    if (Number.isFinite(promptRate)) await life.sleep((promptEvalCount / promptRate) * 1000);
    if (life.aborted) return;
    const evalStart = nowNs();
    const promptEvalNs = Math.max(evalStart - loaded, promptEvalCount * 1000);
    const tps = rt.model.tokensPerSecond;
    const tokenMs = Number.isFinite(tps) ? 1000 / tps : 0;
    this.counters.promptTokens += promptEvalCount;
    this.counters.evalTokens += completion.evalCount;
    const jsonModel = goJson(model);
    const counters = (evalEnd: number) => {
      const evalNs = Math.max(evalEnd - evalStart, completion.evalCount * 1000);
      const loadNs = Math.max(loaded - start, 1000);
      const totalNs = Math.max(evalEnd - start, loadNs + promptEvalNs + evalNs);
      return {
        total_duration: Math.round(totalNs),
        load_duration: Math.round(loadNs),
        prompt_eval_count: promptEvalCount,
        prompt_eval_duration: Math.round(promptEvalNs),
        eval_count: completion.evalCount,
        eval_duration: Math.round(evalNs),
      };
    };
    const context =
      route === 'generate' && body.raw !== true
        ? contextIds(completion.seed, promptTokens + completion.evalCount)
        : undefined;
    const stream = body.stream !== false;
    if (!stream) {
      const pieces = completion.thinking.length + completion.content.length;
      if (tokenMs > 0) await life.sleep(tokenMs * Math.max(1, pieces));
      if (life.aborted) return;
      const end = counters(nowNs());
      const thinking = completion.thinking.length > 0 ? completion.thinking.join('') : undefined;
      const text =
        route === 'chat'
          ? goJson({
              model,
              created_at: goTimeUtc(Date.now()),
              message: {
                role: 'assistant',
                content: completion.content.join(''),
                thinking,
                tool_calls: completion.toolCalls,
              },
              done: true,
              done_reason: completion.doneReason,
              ...end,
            })
          : goJson({
              model,
              created_at: goTimeUtc(Date.now()),
              response: completion.content.join(''),
              thinking,
              done: true,
              done_reason: completion.doneReason,
              context,
              ...end,
            });
      return out.send(200, text);
    }

    this.counters.streams++;
    // No delay and no stream fault: build the whole stream and write it at once. The bytes are the
    // same; only the chunked framing differs, which no client can observe (load-test speed).
    const batch = tokenMs === 0 && out.plain;
    await out.start(200, undefined);
    if (out.gone) return;
    const head = `{"model":${jsonModel},"created_at":"`;
    const pending: string[] = [];
    // A batch is produced in one instant: one clock read stamps every line.
    const stamp = batch ? goTimeUtc(Date.now()) : '';
    const emit = async (middle: string): Promise<boolean> => {
      if (batch) {
        pending.push(head + stamp + middle);
        return true;
      }
      if (tokenMs > 0) {
        await life.sleep(tokenMs);
        if (life.aborted) return false;
      }
      return out.chunk(head + goTimeUtc(Date.now()) + middle, false);
    };
    const chatLine = (fields: string) =>
      `","message":{"role":"assistant",${fields}},"done":false}\n`;
    for (const t of completion.thinking) {
      const middle =
        route === 'chat'
          ? chatLine(`"content":"","thinking":${goJson(t)}`)
          : `","response":"","thinking":${goJson(t)},"done":false}\n`;
      if (!(await emit(middle))) return;
    }
    for (const t of completion.content) {
      const middle =
        route === 'chat'
          ? chatLine(`"content":${tokenJson(t)}`)
          : `","response":${tokenJson(t)},"done":false}\n`;
      if (!(await emit(middle))) return;
    }
    if (completion.toolCalls !== undefined) {
      if (!(await emit(chatLine(`"content":"","tool_calls":${goJson(completion.toolCalls)}`))))
        return;
    }
    const end = counters(nowNs());
    const final =
      route === 'chat'
        ? goJson({
            model,
            created_at: goTimeUtc(Date.now()),
            message: { role: 'assistant', content: '' },
            done: true,
            done_reason: completion.doneReason,
            ...end,
          })
        : goJson({
            model,
            created_at: goTimeUtc(Date.now()),
            response: '',
            done: true,
            done_reason: completion.doneReason,
            context,
            ...end,
          });
    pending.push(`${final}\n`);
    await out.chunk(pending.join(''), true);
  }

  async embed(ex: Exchange, legacy: boolean): Promise<void> {
    const { body, out, life } = ex;
    const bad = legacy
      ? checkFields(body, EMBEDDINGS_FIELDS, 'EmbeddingRequest', this.opts.keepAliveMs)
      : checkFields(body, EMBED_FIELDS, 'EmbedRequest', this.opts.keepAliveMs);
    if (bad !== undefined) return this.error(out, 400, bad);
    const model = typeof body.model === 'string' ? body.model : '';
    let inputs: string[];
    if (legacy) {
      inputs = typeof body.prompt === 'string' && body.prompt !== '' ? [body.prompt] : [];
    } else {
      const input = body.input;
      if (typeof input === 'string') inputs = input === '' ? [] : [input];
      else if (Array.isArray(input)) {
        if (input.some((v) => typeof v !== 'string'))
          return this.error(out, 400, 'invalid input type');
        inputs = input as string[];
      } else if (input === undefined || input === null) inputs = [];
      else return this.error(out, 400, 'invalid input type');
      if (inputs.length === 0) return out.send(200, goJson({ model, embeddings: [] }));
    }
    const rt = this.find(model);
    if (rt === undefined) return this.error(out, 404, `model '${model}' not found`);
    if (
      !rt.model.capabilities.includes('embedding') &&
      !rt.model.capabilities.includes('completion')
    )
      return this.error(out, 400, `${goQuote(model)} does not support embeddings`);
    const badOption = checkOptions(isPlainObject(body.options) ? body.options : undefined);
    if (badOption !== undefined) return this.error(out, 500, badOption);
    const keepAliveMs = (parseKeepAlive(body.keep_alive, this.opts.keepAliveMs) as { ms: number })
      .ms;
    const options = isPlainObject(body.options) ? body.options : undefined;
    const numCtx = this.windowFor(rt.model, options);
    const start = nowNs();
    if (!(await this.schedule(rt, numCtx, keepAliveMs, life, out))) return;
    try {
      const loaded = nowNs();
      let count = 0;
      for (const input of inputs) {
        const n = estimateTextTokens(input, this.opts.tokensPerChar) + 2;
        if (n > numCtx) {
          if (body.truncate === false)
            return await this.error(out, 400, 'the input length exceeds the context length');
          count += numCtx;
        } else count += n;
      }
      const promptRate = this.opts.promptTokensPerSecond;
      if (Number.isFinite(promptRate)) await life.sleep((count / promptRate) * 1000);
      if (life.aborted) return;
      this.counters.promptTokens += count;
      const dims = rt.model.embeddingLength;
      const cut =
        typeof body.dimensions === 'number' && body.dimensions > 0
          ? Math.min(dims, body.dimensions)
          : dims;
      const end = nowNs();
      if (legacy) {
        const vector = embeddingJson(rt.model.key, inputs[0] ?? '', dims, cut);
        return await out.send(
          200,
          `{"embedding":${inputs.length === 0 ? '[]' : vector}}`,
          JSON_TYPE,
        );
      }
      const vectors = inputs.map((input) => embeddingJson(rt.model.key, input, dims, cut));
      const totalNs = Math.max(Math.round(end - start), 1000);
      const loadNs = Math.max(Math.round(loaded - start), 1000);
      const text =
        `{"model":${goJson(model)},"embeddings":[${vectors.join(',')}],` +
        `"total_duration":${Math.max(totalNs, loadNs)},"load_duration":${loadNs},"prompt_eval_count":${count}}`;
      return await out.send(200, text);
    } finally {
      this.finish(rt, keepAliveMs);
    }
  }
}
