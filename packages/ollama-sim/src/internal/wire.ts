import { goJson } from './go-json';

// How errors look on the wire, per API family. The native API answers `{"error":"..."}`; Ollama's
// OpenAI-compatible layer (middleware/openai.go) rewrites every error the native handler writes
// into OpenAI's `{"error":{"message","type","param","code"}}`, encoded with json.Encoder (a trailing
// newline) and `Content-Type: application/json`, while errors its own middleware raises (a body
// that does not decode, empty `messages`) go out through gin's JSON renderer (charset, no newline).

/** A complete error answer: its body and content type. */
interface ErrorAnswer {
  readonly body: string;
  readonly type: string;
}

/** The OpenAI `type`/`code` pair of an error, when it is not the one its status implies. */
export interface ErrorKind {
  readonly type: string;
  readonly code: string | null;
}

export interface Dialect {
  readonly name: 'ollama' | 'openai';
  /** An error the endpoint answers before writing anything. */
  error(status: number, text: string, kind?: ErrorKind): ErrorAnswer;
  /** An error raised while reading the request (decoding, request-level checks). */
  requestError(status: number, text: string): ErrorAnswer;
  /** A stream that fails before its first chunk: a plain HTTP error (500 unless `status` says). */
  streamStartError(text: string, status?: number): ErrorAnswer;
  /**
   * The error line or event that takes the place of the rest of a stream that fails midway (on
   * `/v1`, only when a fault opts into an OpenAI error event: see Responder).
   */
  streamError(text: string): string;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
/** What Ollama's OpenAI middleware sets (no charset) for every answer it rewrites. */
export const OPENAI_JSON_TYPE = 'application/json';
export const SSE_TYPE = 'text/event-stream';

export const OLLAMA: Dialect = {
  name: 'ollama',
  error: (_status, text) => ({ body: goJson({ error: text }), type: JSON_TYPE }),
  requestError: (_status, text) => ({ body: goJson({ error: text }), type: JSON_TYPE }),
  // Before the first chunk Ollama's streamResponse sets a bare `application/json`.
  streamStartError: (text) => ({ body: goJson({ error: text }), type: 'application/json' }),
  streamError: (text) => `${goJson({ error: text })}\n`,
};

/** openai.NewError: the `type` a status maps to. */
function openAiErrorType(status: number): string {
  if (status === 400) return 'invalid_request_error';
  if (status === 404) return 'not_found_error';
  return 'api_error';
}

/** `{"error":{"message","type","param","code"}}` as Go encodes openai.ErrorResponse. */
function openAiErrorJson(status: number, text: string, kind?: ErrorKind): string {
  return goJson({
    error: {
      message: text,
      type: kind?.type ?? openAiErrorType(status),
      param: null,
      code: kind?.code ?? null,
    },
  });
}

export const OPENAI: Dialect = {
  name: 'openai',
  error: (status, text, kind) => ({
    body: `${openAiErrorJson(status, text, kind)}\n`,
    type: OPENAI_JSON_TYPE,
  }),
  requestError: (status, text) => ({ body: openAiErrorJson(status, text), type: JSON_TYPE }),
  streamStartError: (text, status = 500) => ({
    body: `${openAiErrorJson(status, text)}\n`,
    type: OPENAI_JSON_TYPE,
  }),
  // What other OpenAI-compatible servers send and the official client turns into an APIError;
  // Ollama's own writer loses the text (Responder writes its bytes unless a fault opts in).
  streamError: (text) => `data: ${openAiErrorJson(500, text)}\n\n`,
};
