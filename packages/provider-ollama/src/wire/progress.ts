import { isPlainObject } from '@x/internal';
import type { WireMessage } from '@x/provider-core';
import { EMPTY_PARTIAL, redactedServerText, serverExcerpt } from '@x/provider-core';
import { ModelNotFoundError, OllamaStreamError } from '../errors';
import type { ProgressEvent } from '../types';
import { isMissingModelLine, modelNotFoundMessage } from './http-errors';

/**
 * A byte count: a non-negative safe integer, else unknown. A progress bar prints what it is given,
 * so `-5` or `1e308` from a broken or hostile server is no count at all.
 */
function byteCount(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

/**
 * One progress line; an `{"error"}` line (a failed download) is a typed stream error, or, when it
 * says the model is missing (from the registry for a pull or a create's `from`, from the server
 * for a push), the {@link ModelNotFoundError} every other call ends with.
 */
export function parseProgress(
  message: WireMessage,
  redact: (text: string) => string,
  endpoint: string,
  model: string | null,
): ProgressEvent {
  let line: unknown;
  try {
    line = JSON.parse(message.data);
  } catch {
    line = undefined;
  }
  if (!isPlainObject(line)) {
    throw new OllamaStreamError({
      reason: 'invalid-json',
      message: `Ollama sent a progress line that is not a JSON object: ${serverExcerpt(message.data, redact)}`,
      partial: EMPTY_PARTIAL,
    });
  }
  if (typeof line.error === 'string') {
    const serverMessage = redactedServerText(line.error, redact);
    if (model !== null && isMissingModelLine(endpoint, serverMessage)) {
      const message = modelNotFoundMessage(endpoint, model);
      throw new ModelNotFoundError({ model, serverMessage, endpoint, message });
    }
    throw new OllamaStreamError({
      reason: 'server-error',
      serverMessage,
      partial: EMPTY_PARTIAL,
    });
  }
  if (typeof line.status !== 'string') {
    // Every progress line of Ollama's names its step: `{}` is not progress, and would otherwise
    // hold the call open as one.
    throw new OllamaStreamError({
      reason: 'invalid-json',
      message: `Ollama sent a progress line without a status: ${serverExcerpt(message.data, redact)}`,
      partial: EMPTY_PARTIAL,
    });
  }
  const total = byteCount(line.total);
  const completed = byteCount(line.completed);
  // Scrubbed as error lines are: a registry's text may echo a credential.
  return {
    status: redact(line.status),
    digest: typeof line.digest === 'string' ? redact(line.digest) : undefined,
    total,
    // Unknown past a known total: which of the two is wrong cannot be told, and a bar past 100 %
    // is no help; the layer's size is stated once, the count moves.
    completed:
      completed !== undefined && total !== undefined && completed > total ? undefined : completed,
  };
}
