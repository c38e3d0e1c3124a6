import { quoted } from '@x/internal';
import { isOllamaTimeoutError, OllamaTimeoutError } from './errors';

/**
 * The deadline of the model lookup a request makes before it is sent (`/api/show`, for the
 * context window and capabilities), said as that: the core words a metadata call's deadline as
 * one for "the whole answer", which reads as the chat's own answer although `/api/chat` was never
 * sent. The option that set the deadline is kept (the core's own rule for it: `timeouts.<kind>Ms`);
 * a `connect` timeout already says what to check, and any other error is returned as it is.
 */
export function modelLookupTimeout(error: unknown, model: string): unknown {
  if (!isOllamaTimeoutError(error)) return error;
  if (error.timeout !== 'firstToken' && error.timeout !== 'total') return error;
  return new OllamaTimeoutError({
    timeout: error.timeout,
    timeoutMs: error.timeoutMs,
    retryable: error.retryable,
    cause: error,
    waitedFor: `Ollama to answer the model lookup /api/show for model ${quoted(model)} (its context window and capabilities, asked before the request; the request itself was not sent): the server is slow loading the model's info; check the server, or raise the deadline`,
    option: `timeouts.${error.timeout}Ms`,
  });
}
