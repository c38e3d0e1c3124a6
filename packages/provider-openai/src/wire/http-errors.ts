import { quoted } from '@x/internal';
import {
  answeredText,
  contextOverflowCounts,
  describeWebPage,
  type HttpErrorMapper,
  type HttpFailure,
  isWebPageFailure,
  notServedMessage,
  redactedServerText,
  redirectMessage,
} from '@x/provider-core';
import { parseRateLimitHeaders } from '@x/rate-limit';
import {
  ContextOverflowError,
  ModelNotFoundError,
  OpenAIApiError,
  type OpenAIErrorBody,
  RateLimitedError,
  ServerBusyError,
} from '../errors';
import { requestIdOf } from './request-id';

type Json = Record<string, unknown>;

/** Statuses worth another attempt, as OpenAI's own client retries them. */
const RETRYABLE_STATUS = new Set([408, 409, 425, 500, 502, 504]);

/**
 * Server texts of a prompt too long for the model (OpenAI, vLLM, Groq, Mistral, llama.cpp...);
 * llama.cpp's server says `exceeds the available context size` (type `exceed_context_size_error`),
 * and Ollama passes that text on when it did not truncate the prompt itself. Gemini's compatibility
 * endpoint says `The input token count (132478) exceeds the maximum number of tokens allowed
 * (131072).`, in a JSON array (`[{ "error": { code, message, status } }]`).
 */
const CONTEXT_OVERFLOW =
  /maximum context length|context[_ ]length[_ ]exceeded|exceeds? the (model's )?(maximum |available )?context (window|length|size)|exceed_context_size_error|longer than the (model's )?context length|prompt is too long|exceeds the maximum number of tokens allowed/i;

const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined;

/** Validation details (Mistral's 422, FastAPI's `detail` list) as text. */
const structured = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null ? JSON.stringify(value) : undefined;

/**
 * The error object of an answer: OpenAI's `{ "error": { message, type, param, code } }`, a bare
 * `{ message, type, code }` (vLLM), `{ "error": "text" }` (proxies) or Gemini's
 * `[{ "error": { code, message, status } }]`.
 */
export function readErrorBody(
  body: string,
): (OpenAIErrorBody & { message?: string | undefined }) | undefined {
  const trimmed = body.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (Array.isArray(parsed)) parsed = parsed[0];
  const outer = asObject(parsed);
  if (outer === undefined) return undefined;
  if (typeof outer.error === 'string') return { message: outer.error };
  const error = asObject(outer.error) ?? outer;
  return {
    message: text(error.message) ?? text(outer.detail) ?? structured(error.message ?? outer.detail),
    type: text(error.type) ?? text(error.status),
    errorCode: text(error.code),
    param: text(error.param),
  };
}

/**
 * What an error keeps of an error body's text and fields: each redacted, then bounded as
 * `redactedServerText` bounds a server's text (a body or an in-band line may be megabytes, and
 * `redact` runs before the cut, so a secret the cut would split is still recognised whole).
 * `whole` is the text kept when the body names no message.
 */
export function keptErrorFields(
  fields: ReturnType<typeof readErrorBody>,
  whole: string,
  redact: (text: string) => string,
): Pick<OpenAIErrorBody, 'type' | 'errorCode' | 'param'> & { serverMessage: string } {
  const kept = (v: string | undefined) =>
    v === undefined ? undefined : redactedServerText(v, redact);
  return {
    serverMessage: redactedServerText(fields?.message ?? whole, redact),
    type: kept(fields?.type),
    errorCode: kept(fields?.errorCode),
    param: kept(fields?.param),
  };
}

const NOT_SERVED_ADVICE =
  'An OpenAI-compatible API sits under a version prefix: baseUrl ends in it (`http://127.0.0.1:11434/v1` for Ollama, `https://api.groq.com/openai/v1` for Groq), without `/chat/completions`.';

/**
 * Maps an OpenAI-style HTTP error answer to a typed error, naming `label` in messages; a 401 or
 * 403 message ends with `keyHint`'s sentence (which key was sent, where to set one). `paced`
 * hears every 429 of the pace, with its `retry-after` (a request too large for the tier is not).
 */
export function mapHttpError(
  label: string,
  keyHint?: ((statusCode: number) => string) | undefined,
  paced?: ((endpoint: string, retryAfterMs: number | undefined) => void) | undefined,
): HttpErrorMapper {
  return (failure: HttpFailure) => {
    const { statusCode, endpoint, model, redact } = failure;
    const requestId = requestIdOf(failure.headers, redact);
    if (statusCode < 400) {
      return new OpenAIApiError({
        label,
        statusCode,
        endpoint,
        retryable: false,
        serverMessage: redirectMessage(failure),
        requestId,
      });
    }
    const fields = readErrorBody(failure.body);
    const kept = keptErrorFields(fields, failure.body.trim(), redact);
    const { serverMessage } = kept;
    const body = { label, endpoint, ...kept, requestId };
    const retryAfterMs = parseRateLimitHeaders(failure.headers).retryAfterMs;
    // The server may say itself whether a retry can help (OpenAI's `x-should-retry`): its word
    // wins over the status, a 429 or a 503 included.
    const should = failure.headers['x-should-retry'];
    const shouldRetry = should === 'true' ? true : should === 'false' ? false : undefined;
    // A web page (a proxy's, another server's) is named by its title, not quoted: its markup is
    // hundreds of characters of escaped tags. Nor is its text the API's word on the request.
    const page = isWebPageFailure(failure);
    if (statusCode === 429) {
      const webPage = page ? describeWebPage(failure) : undefined;
      const error = new RateLimitedError({ ...body, retryAfterMs, shouldRetry, webPage });
      if (!error.requestTooLarge) paced?.(endpoint, retryAfterMs);
      return error;
    }
    if (
      statusCode === 404 &&
      model !== undefined &&
      fields !== undefined &&
      (fields.errorCode === 'model_not_found' ||
        (/model/i.test(serverMessage) && /not found|does not exist/i.test(serverMessage)))
    ) {
      return new ModelNotFoundError({ ...body, model });
    }
    if (
      model !== undefined &&
      !page &&
      (statusCode === 400 || statusCode === 413) &&
      (fields?.errorCode === 'context_length_exceeded' || CONTEXT_OVERFLOW.test(serverMessage))
    ) {
      return new ContextOverflowError({
        label,
        model,
        source: 'server',
        serverMessage,
        requestId,
        // The window and the prompt's size, when the text states them: a router learns the
        // window from them.
        ...contextOverflowCounts(serverMessage),
      });
    }
    if (
      model !== undefined &&
      !page &&
      statusCode === 400 &&
      (fields?.errorCode === 'max_tokens_per_request' || PER_REQUEST.test(serverMessage))
    ) {
      return perRequestOverflow(label, endpoint, model, serverMessage, requestId);
    }
    if (
      statusCode === 501 &&
      endpoint === '/embeddings' &&
      model !== undefined &&
      !page &&
      NO_EMBEDDINGS_501.test(serverMessage)
    ) {
      // The same model gets the same answer on a retry: only the server's own word retries it.
      return new OpenAIApiError({
        ...body,
        statusCode,
        retryable: shouldRetry ?? false,
        retryAfterMs,
        message: cannotEmbedMessage(label, endpoint, model, serverMessage),
      });
    }
    const head = answeredText(label, failure, serverMessage);
    if (statusCode === 503 || statusCode === 529) {
      const message = page ? head : undefined;
      return new ServerBusyError({ ...body, statusCode, retryAfterMs, shouldRetry, message });
    }
    // Any other 404 is a path the server does not serve (OpenAI says `Invalid URL`, Ollama
    // `404 page not found`): a baseUrl without its version prefix, or with one too many. A 405 or
    // 501 without an API's JSON error (llama-server's 501 has one) is a static or web server that
    // refuses the POST: another service on the port, which answers the same to a retry.
    const refusedHere = (statusCode === 405 || statusCode === 501) && fields === undefined;
    const retryable =
      shouldRetry ?? (!refusedHere && (RETRYABLE_STATUS.has(statusCode) || statusCode > 500));
    const message =
      statusCode === 404 || refusedHere
        ? notServedMessage(label, failure, serverMessage, NOT_SERVED_ADVICE)
        : statusCode === 403 &&
            !page &&
            (fields?.errorCode === 'unsupported_country_region_territory' ||
              UNSERVED_REGION.test(serverMessage))
          ? unservedRegionMessage(label, endpoint, serverMessage)
          : (statusCode === 401 || statusCode === 403) && keyHint !== undefined
            ? keyRefusedMessage(head, keyHint(statusCode))
            : page
              ? head
              : undefined;
    return new OpenAIApiError({ ...body, statusCode, retryable, retryAfterMs, message });
  };
}

/**
 * llama.cpp's server refusing an embedding (501, `This server does not support embeddings. Start
 * it with \`--embeddings\``): a llama-server started without the flag, or Ollama's `/v1`, which
 * passes the text on as it got it for a model without pooling (a chat model: Ollama starts
 * llama-server with the flag only for an embedding model, `llm/llama_server.go`), with the same
 * 501. Its flag is not one an Ollama user can set.
 */
const NO_EMBEDDINGS_501 = /does not support embeddings/i;

/**
 * What a model that makes no embeddings here is told: the server's text as it said it, then the
 * remedy of either server it may be (the text alone cannot tell which).
 */
function cannotEmbedMessage(
  label: string,
  endpoint: string,
  model: string,
  serverMessage: string,
): string {
  return `Model ${quoted(model)} cannot make embeddings on ${label}: ${endpoint} answered 501 (${serverMessage}). Use an embedding model (on Ollama, one whose capabilities list "embedding": nomic-embed-text, all-minilm...), or start a llama.cpp server of your own with \`--embeddings\``;
}

/**
 * OpenAI's `/embeddings` limit on a whole request, every input counted together (300 000 tokens):
 * `Requested 453357 tokens, max 300000 tokens per request`, code `max_tokens_per_request`.
 */
const PER_REQUEST = /Requested (\d+) tokens, max (\d+) tokens per request/i;

/**
 * A request over the server's tokens per request: a {@link ContextOverflowError} (no retry sends
 * fewer tokens), `promptTokens` what it asked and `contextWindow` the limit when the text says.
 */
function perRequestOverflow(
  label: string,
  endpoint: string,
  model: string,
  serverMessage: string,
  requestId: string | undefined,
): ContextOverflowError {
  const counts = PER_REQUEST.exec(serverMessage);
  const promptTokens = counts === null ? undefined : Number(counts[1]);
  const contextWindow = counts === null ? undefined : Number(counts[2]);
  const size = counts === null ? '' : ` (${promptTokens} tokens)`;
  const limit = counts === null ? 'the tokens' : `the ${contextWindow} tokens`;
  return new ContextOverflowError({
    label,
    model,
    source: 'server',
    serverMessage,
    requestId,
    promptTokens,
    contextWindow,
    message: `The input for ${quoted(model)}${size} is over ${limit} one ${label} ${endpoint} request may hold, all its inputs together (server: ${serverMessage}): send fewer or shorter inputs per request`,
  });
}

/**
 * OpenAI's 403 for a request from where it does not serve (`Country, region, or territory not
 * supported`, code `unsupported_country_region_territory`): the key is not the matter.
 */
const UNSERVED_REGION = /country, region,? or territory not supported/i;

/** A 403 for where the request came from: the server's text, and that no key changes it. */
function unservedRegionMessage(label: string, endpoint: string, serverMessage: string): string {
  const said = serverMessage || '(empty body)';
  return `${label} ${endpoint} answered 403: ${said}${/[.!?]$/.test(said) ? '' : '.'} The request came from a country, region or territory ${label} does not serve (where the machine, or its proxy or VPN, connects from): another key will not change that.`;
}

/** A 401 or 403: what the server answered (`answeredText`), then which key was sent and where to set one. */
function keyRefusedMessage(head: string, hint: string): string {
  return `${head}${/[.!?]$/.test(head) ? '' : '.'} ${hint}`;
}
