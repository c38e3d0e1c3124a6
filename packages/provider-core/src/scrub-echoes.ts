import { isProviderError, type ProviderErrorKind } from './errors';
import { ECHO_MIN, PROMPT_PLACEHOLDER, requestTexts, withoutEchoes } from './prompt-echoes';

/** Errors already looked at: the breaker's gate scrubs one, the attempt's end sees it again. */
const looked = new WeakSet<object>();
/** Kinds whose message is worded here alone: no text of the server's is in it. */
const OWN_WORDS: ReadonlySet<ProviderErrorKind> = new Set<ProviderErrorKind>([
  'timeout',
  'connection',
  'closed',
  'circuit-open',
  'local-limit',
  'credentials',
  'incomplete-stream',
]);
/** The fields of an error that may quote the server. */
const FIELDS = ['message', 'serverMessage'] as const;
/** What a field becomes when the search failed: nothing of it is known to be free of the request. */
const WITHHELD = `${PROMPT_PLACEHOLDER} (the server's text is withheld: it could not be searched)`;
/** How far down `cause` errors are looked at. */
const CAUSES = 3;

/** One field of an error, and its text. */
interface Slot {
  holder: object;
  key: (typeof FIELDS)[number];
  text: string;
}

/**
 * Replaces what the server echoed of the call's own request (`request`: its prompt, messages,
 * tool results and arguments, embedding inputs: `requestTexts`) by `[prompt]` in the message and
 * `serverMessage` of a provider error the call failed with (and of the provider errors it was
 * caused by), in place (the error is ours, just made), once: see `prompt-echoes.ts`. Runs on
 * failure only; nothing is read of the request when the error holds no server text. The partial
 * answer is left as it is: it is the model's output, which the caller may want.
 */
export function scrubPromptEchoes(error: unknown, request: unknown): void {
  const slots: Slot[] = [];
  let at = error;
  for (let depth = 0; depth < CAUSES && isProviderError(at) && !looked.has(at); depth++) {
    looked.add(at);
    if (!OWN_WORDS.has(at.kind)) {
      for (const key of FIELDS) {
        const text = (at as unknown as Record<string, unknown>)[key];
        if (typeof text === 'string' && text.length >= ECHO_MIN)
          slots.push({ holder: at, key, text });
      }
    }
    at = at.cause;
  }
  if (slots.length === 0) return;
  let out: string[];
  try {
    const sent = requestTexts(request);
    if (sent.length === 0) return;
    out = withoutEchoes(
      slots.map((slot) => slot.text),
      sent,
    );
  } catch {
    // The scrub must not replace the call's error with its own (a request whose getter throws,
    // memory), nor let through what it could not look at: the server's text is withheld.
    out = slots.map(() => WITHHELD);
  }
  for (let i = 0; i < slots.length; i++) {
    try {
      if (out[i] !== slots[i]!.text) replace(slots[i]!, out[i]!);
    } catch {
      // A field that cannot be set (a custom error's own accessor) keeps its text: the error stays.
    }
  }
}

/** Sets the field to `text`, as it was defined; a stack already written gets the new message. */
function replace({ holder, key, text: old }: Slot, text: string): void {
  const descriptor = Object.getOwnPropertyDescriptor(holder, key);
  if (descriptor === undefined || !('value' in descriptor) || !descriptor.configurable) return;
  Object.defineProperty(holder, key, { ...descriptor, value: text });
  if (key !== 'message') return;
  // Written when first read: then with the new message; else its first line holds the old one.
  const stack = (holder as Error).stack;
  if (typeof stack === 'string' && stack.includes(old)) {
    (holder as Error).stack = stack.replace(old, () => text);
  }
}
