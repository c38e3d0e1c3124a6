/** The longest request id kept: OpenAI's are `req_` and 32 hex digits. */
const MAX_REQUEST_ID = 128;

/**
 * An answer's `x-request-id` (OpenAI's, Groq's, vLLM's...), the id the provider's support asks
 * for, scrubbed like any server text (a proxy may echo anything into a header) and cut; of an
 * error answer and of a successful one alike. Kept on the error or the answer only: one value per
 * request, never a metric label or an event field.
 */
export function requestIdOf(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  redact: (text: string) => string,
): string | undefined {
  const raw = headers['x-request-id'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return redact(value).slice(0, MAX_REQUEST_ID);
}
