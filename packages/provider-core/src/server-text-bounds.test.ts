// A server's error text is bounded wherever it is kept or searched: the errors keep at most
// SERVER_TEXT_MAX characters of it, the echo search looks at most ECHO_SEARCH_MAX, and a search
// that fails withholds the text instead of replacing the call's error with its own.
import { describe, expect, it } from 'vitest';
import { ProviderApiError } from './api-error';
import { createErrorKit } from './error-kit';
import { ECHO_SEARCH_MAX, PROMPT_PLACEHOLDER, withoutEchoes } from './prompt-echoes';
import { scrubPromptEchoes } from './scrub-echoes';
import { Redactor } from './secrets';
import { redactedServerText, SERVER_TEXT_MAX, serverExcerpt } from './server-text';
import { EMPTY_PARTIAL } from './types';

const origin = { provider: 'reply', label: 'Reply' };
const kit = createErrorKit(origin);
const PROMPT = 'Summarise the attached memo for the board, in three short points.';
/** A server's text of `size` characters that quotes nothing of {@link PROMPT}. */
const noise = (size: number) => '0123456789'.repeat(Math.ceil(size / 10)).slice(0, size);

describe("the errors keep at most SERVER_TEXT_MAX characters of the server's text", () => {
  const huge = noise(1 << 20);

  it('a stream error line (Ollama does not cut it: a line may be 16 MiB)', () => {
    const error = kit.stream({
      reason: 'server-error',
      serverMessage: huge,
      partial: EMPTY_PARTIAL,
    });
    expect(error.serverMessage).toHaveLength(SERVER_TEXT_MAX);
    expect(error.message.length).toBeLessThan(SERVER_TEXT_MAX + 100);
  });

  it('an error status, and a context overflow the server reported', () => {
    const api = new ProviderApiError({
      origin,
      statusCode: 400,
      serverMessage: huge,
      endpoint: '/v1/reply',
      retryable: false,
    });
    expect(api.serverMessage).toHaveLength(SERVER_TEXT_MAX);
    expect(api.message.length).toBeLessThan(SERVER_TEXT_MAX + 100);
    const overflow = kit.contextOverflow({ model: 'm', source: 'server', serverMessage: huge });
    expect(overflow.message.length).toBeLessThan(SERVER_TEXT_MAX + 100);
  });

  it('a short text is kept as it came', () => {
    const error = kit.stream({
      reason: 'server-error',
      serverMessage: 'boom',
      partial: EMPTY_PARTIAL,
    });
    expect(error.serverMessage).toBe('boom');
  });
});

describe('redactedServerText', () => {
  it('redacts at most 64 Ki characters of a text of megabytes, then cuts it', () => {
    const read: number[] = [];
    const redact = (text: string) => {
      read.push(text.length);
      return text;
    };
    expect(redactedServerText(noise(8 << 20), redact)).toHaveLength(SERVER_TEXT_MAX);
    expect(read).toEqual([64 * 1024]);
    read.length = 0;
    // an excerpt of what a server sent instead of an answer: the same window, 80 kept
    expect(serverExcerpt(`  ${noise(8 << 20)}`, redact)).toBe(noise(80));
    expect(read).toEqual([64 * 1024]);
  });

  it('scrubs a secret that the cut at 500 characters splits, in any form', () => {
    const redactor = new Redactor();
    const key = `sk-${'k'.repeat(2_000)}`;
    redactor.add(key);
    const redact = (text: string) => redactor.redact(text);
    for (const form of [key, encodeURIComponent(key), Buffer.from(key).toString('hex')]) {
      const kept = redactedServerText(`${noise(490)}${form}${noise(1 << 20)}`, redact);
      expect(kept).toBe(`${noise(490)}[redacted]${noise(1 << 20)}`.slice(0, SERVER_TEXT_MAX));
    }
  });
});

describe('the echo search is bounded whatever it is given', () => {
  it(`searches at most ${ECHO_SEARCH_MAX} characters of a text, and cuts the rest away`, () => {
    // An echo past the bound would survive if the rest were kept unsearched.
    const text = `${noise(4 * ECHO_SEARCH_MAX)} ${PROMPT}`;
    const [out] = withoutEchoes([text], [PROMPT]);
    expect(out).toHaveLength(ECHO_SEARCH_MAX);
    expect(out).not.toContain(PROMPT.slice(0, 20));
    // within the bound, an echo is still found
    expect(withoutEchoes([`bad: ${PROMPT}`], [PROMPT])[0]).toBe(`bad: ${PROMPT_PLACEHOLDER}`);
  });

  it('a search that fails withholds the text: the error stays the call’s own', () => {
    const error = kit.stream({
      reason: 'server-error',
      serverMessage: `invalid prompt: ${PROMPT}`,
      partial: EMPTY_PARTIAL,
    });
    const request = {
      get messages(): never {
        throw new RangeError('a getter of the request threw');
      },
    };
    expect(() => scrubPromptEchoes(error, request)).not.toThrow();
    expect(error.serverMessage).not.toContain(PROMPT.slice(0, 20));
    expect(error.message).not.toContain(PROMPT.slice(0, 20));
    expect(error.message).toContain(PROMPT_PLACEHOLDER);
  });
});
