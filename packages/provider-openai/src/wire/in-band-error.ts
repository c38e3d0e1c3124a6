import { OpenAIStreamError, type PartialResponse } from '../errors';
import { keptErrorFields, readErrorBody } from './http-errors';

/**
 * True when an answer's or an event's `error` field reports a failure: an object, or a non-empty
 * text. Some servers write `"error": null` into every chunk; `null`, `false`, `''` or no field is a
 * normal answer, as openai-node reads only a truthy `error` as one.
 */
export function isError(error: unknown): boolean {
  return (
    (typeof error === 'object' && error !== null) || (typeof error === 'string' && error.length > 0)
  );
}

/**
 * An error body's words for the server's own failure, an overload included: OpenAI's
 * `server_error`, `internal_server_error`, `overloaded_error`, `service_unavailable`, vLLM's
 * `InternalServerError`, Ollama's `api_error`, or a 5xx status as the code. A client mistake
 * (`invalid_request_error`) or an unknown type is not one: the same request would fail again.
 */
const SERVER_FAILURE =
  /^(server_error|internal_?server_?error|api_error|overloaded(_error)?|service_unavailable(_error)?|server_overloaded|5\d\d)$/i;

function isServerFailure(type: string | undefined, code: string | undefined): boolean {
  return (
    (type !== undefined && SERVER_FAILURE.test(type)) ||
    (code !== undefined && SERVER_FAILURE.test(code))
  );
}

/**
 * The error of an error body the server sent with a 200: an event of a stream, or the whole
 * answer. Retryable when it is the server's own failure and the answer held nothing yet
 * (`produced` false), as the same failure sent as a 5xx status is.
 */
export function inBandError(
  text: string,
  redact: (text: string) => string,
  label: string,
  partial: PartialResponse,
  produced: boolean,
): OpenAIStreamError {
  const fields = readErrorBody(text);
  return new OpenAIStreamError({
    label,
    reason: 'server-error',
    ...keptErrorFields(fields, text, redact),
    partial,
    retryable: !produced && isServerFailure(fields?.type, fields?.errorCode),
  });
}

/**
 * The error of an answer whose finish reason is `error`: the server failed partway through
 * generating (Mistral's `FinishReason`: `stop`, `length`, `model_length`, `error`, `tool_calls`;
 * OpenAI never sends it, and any OpenAI-compatible server that does means the same). Its half
 * answer is no success to return or cache: an in-band error carrying it, retryable as a 5xx is
 * while nothing had been produced.
 */
export function finishError(
  label: string,
  partial: PartialResponse,
  produced: boolean,
): OpenAIStreamError {
  return new OpenAIStreamError({
    label,
    reason: 'server-error',
    serverMessage: 'finish_reason "error": the server failed partway through the answer',
    partial,
    retryable: !produced,
  });
}
