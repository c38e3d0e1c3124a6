import type { Accumulator } from '../decode/accumulator';
import { LineTooLongError } from '../decode/lines';
import { isProviderErrorOfKind, partialOf } from '../errors';
import { BodyTooLargeError } from '../http/attempt';
import { wholeToolCallWait } from '../http/exchange';
import type { ProviderProtocolError } from '../protocol-error';
import type { Runtime } from '../runtime';
import { scrubPromptEchoes } from '../scrub-echoes';
import { scrubPartial } from '../scrub-partial';
import { serverExcerpt } from '../server-text';

/**
 * Turns a size error into the provider's stream error and gives an error raised below the
 * accumulator the content that had arrived, scrubbed with `redact` (the call's own key too) when
 * given. What the error quotes of `echoed` (the call's request) is replaced (`scrub-echoes.ts`).
 */
export function withPartial(
  rt: Runtime,
  error: unknown,
  endpoint: string,
  accumulator: Accumulator<unknown, unknown> | undefined,
  redact?: (text: string) => string,
  echoed?: object,
): unknown {
  const out = partialFor(rt, error, endpoint, accumulator);
  if (redact !== undefined) scrubPartial(redact, out);
  if (echoed !== undefined) scrubPromptEchoes(out, echoed);
  return out;
}

function partialFor(
  rt: Runtime,
  error: unknown,
  endpoint: string,
  accumulator: Accumulator<unknown, unknown> | undefined,
): unknown {
  const partial = accumulator?.partial();
  if (error instanceof BodyTooLargeError || error instanceof LineTooLongError) {
    return rt.kit.stream({
      reason: 'line-too-long',
      message: `${rt.identity.label}'s ${endpoint} answer exceeded maxLineBytes (${error.limit})`,
      partial: partial ?? { content: '', thinking: '', toolCalls: [], chunks: 0 },
      cause: error,
    });
  }
  if (partial === undefined) return error;
  // Cut short (an incomplete stream) or broken midway (`bodyFailure`'s protocol error): the error
  // gets what had arrived.
  const cut = isProviderErrorOfKind(error, 'incomplete-stream');
  if (cut || isProviderErrorOfKind(error, 'protocol')) {
    const had = partialOf(error);
    if (had === undefined || had.chunks >= partial.chunks) return error;
    if (cut) return rt.kit.incomplete({ partial, cause: error.cause });
    const { causeCode } = error as ProviderProtocolError;
    return rt.kit.protocol({ origin: rt.origin, causeCode, partial, cause: error.cause });
  }
  if (accumulator!.chunks === 0) return error;
  if (isProviderErrorOfKind(error, 'timeout') && partialOf(error) === undefined) {
    const timeout = error as unknown as { timeout: 'idle'; timeoutMs: number };
    const raised = wholeToolCallWait(rt.timeouts, timeout.timeout, timeout.timeoutMs);
    return rt.kit.timeout({
      timeout: timeout.timeout,
      timeoutMs: timeout.timeoutMs,
      retryable: false,
      partial,
      cause: error.cause,
      waitedFor: raised?.waitedFor,
      option: raised?.option,
    });
  }
  return error;
}

/** Parses a whole JSON answer; anything else (an HTML page of another service) is a typed error. */
export function parseJson(rt: Runtime, text: string, endpoint: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // No SyntaxError as cause: its message quotes the body unredacted.
    throw rt.kit.stream({
      reason: 'invalid-json',
      message: `${rt.identity.label}'s ${endpoint} answer is not JSON: ${serverExcerpt(text, rt.redactor.redact)}`,
      partial: { content: '', thinking: '', toolCalls: [], chunks: 0 },
    });
  }
}
