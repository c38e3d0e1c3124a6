// A server's error text reaches messages, events and log lines: what a reader cannot see in it
// (line breaks, terminal escapes, bidi overrides, NUL) is escaped, so a server cannot forge a log
// line or recolour a terminal; and the cut to SERVER_TEXT_MAX never splits a surrogate pair.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isWellFormed, PackageLog } from '@x/internal';
import { recordingLogger } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, observedProvider } from './__fixtures__/observed';
import { createErrorKit } from './error-kit';
import { createProviderTopics } from './observe/events';
import { logEvents } from './observe/log';
import { cutServerText, redactedServerText, SERVER_TEXT_MAX, serverExcerpt } from './server-text';
import { EMPTY_PARTIAL } from './types';

const EVIL =
  'bad\r\n2026-12-07 INFO forged\u001b[31mRED\u001b[0m\u2028ls\u0000nul\u202Eevil\u0085c1\u007f';
const ESCAPED =
  'bad\\u000d\\u000a2026-12-07 INFO forged\\u001b[31mRED\\u001b[0m\\u2028ls\\u0000nul\\u202eevil\\u0085c1\\u007f';
/** Any character a reader cannot see, or a lone surrogate. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what it looks for
const UNSEEN = /[\u0000-\u001f\u007f-\u009f\p{Cf}\p{Cs}\u2028\u2029]/u;
const same = (text: string) => text;

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** A server answering every request with `status` and `{ error: { message } }`. */
async function startFailing(message: string, status = 500): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("a server's text as the errors keep it", () => {
  it('drops an escape the cut would split rather than leave its start', () => {
    // 497 characters, then a NUL escaped as six: the cut at 500 falls inside `\u0000`.
    expect(cutServerText(`${'a'.repeat(497)}\u0000 and more`)).toBe('a'.repeat(497));
    expect(cutServerText(`${'a'.repeat(494)}\u0000 and more`)).toBe(`${'a'.repeat(494)}\\u0000`);
  });

  it('escapes controls, format characters and separators', () => {
    expect(redactedServerText(EVIL, same)).toBe(ESCAPED);
    // cut at 80, inside the escape `\u202e`: its start `\u20` goes with it
    expect(serverExcerpt(`  ${EVIL}`, same)).toBe(ESCAPED.slice(0, 76));
    expect(cutServerText(EVIL)).toBe(ESCAPED);
    // escaping what is escaped changes nothing: text kept once passes through an error again
    expect(cutServerText(redactedServerText(EVIL, same))).toBe(ESCAPED);
    const kit = createErrorKit({ provider: 'reply', label: 'Reply' });
    const error = kit.stream({
      reason: 'server-error',
      serverMessage: EVIL,
      partial: EMPTY_PARTIAL,
    });
    expect(error.serverMessage).toBe(ESCAPED);
    expect(error.message).not.toMatch(UNSEEN);
  });

  it('escapes a lone surrogate the server sent, and leaves an emoji as it is', () => {
    expect(redactedServerText('a\ud83db 😀', same)).toBe('a\\ud83db 😀');
  });

  it.each([SERVER_TEXT_MAX - 1, SERVER_TEXT_MAX, SERVER_TEXT_MAX - 2])(
    'cuts %i characters then emojis where no surrogate pair is split',
    (before) => {
      const kept = redactedServerText(`${'a'.repeat(before)}😀😀😀`, same);
      expect(isWellFormed(kept)).toBe(true);
      expect(kept.length).toBeLessThanOrEqual(SERVER_TEXT_MAX);
      expect(kept.length).toBeGreaterThanOrEqual(SERVER_TEXT_MAX - 1);
      expect(kept.startsWith('a'.repeat(before))).toBe(true);
      const cut = cutServerText(`${'a'.repeat(before)}😀😀😀`);
      expect(isWellFormed(cut)).toBe(true);
    },
  );

  it('keeps at most SERVER_TEXT_MAX characters of a text of escaped characters', () => {
    const kept = redactedServerText('\u0000'.repeat(1 << 16), same);
    expect(kept.length).toBeLessThanOrEqual(SERVER_TEXT_MAX);
    expect(kept.startsWith('\\u0000\\u0000')).toBe(true);
  });
});

describe("a server's text in a failed call's error, events and log lines", () => {
  it('holds no character a reader cannot see', async () => {
    const url = await startFailing(EVIL);
    const { logger, entries } = recordingLogger();
    const p = observedProvider(url, {
      logger,
      retry: { retries: 1, baseDelayMs: 1, budget: false },
    });
    cleanup.push(() => p.core.close());
    const events: Array<{ message: string }> = [];
    p.core.on('error', (e) => events.push(e));
    p.core.on('retry', (e) => events.push(e));
    const error = (await p.complete(ask('m')).catch((e: unknown) => e)) as Error & {
      serverMessage: string;
    };
    expect(error.serverMessage).toBe(ESCAPED);
    expect(error.message).toContain(ESCAPED);
    expect(events.map((e) => e.message)).toHaveLength(2);
    for (const e of events) expect(e.message).toContain(ESCAPED);
    const lines = entries
      .filter((e) => e[1].package === '@x/provider-reply')
      .map((e) => e[2] ?? '');
    expect(lines.some((line) => line.includes(ESCAPED))).toBe(true);
    for (const line of lines) expect(line).not.toMatch(UNSEEN);
  });

  it('escapes a message the provider did not word (a composed piece may throw any) in the log line', () => {
    const { logger, entries } = recordingLogger();
    const topics = createProviderTopics('provider-reply', 'p');
    logEvents(new PackageLog('provider-reply', logger, { provider: 'p' }), topics);
    const message = 'refused\r\nINFO forged line';
    topics.error.emit({ model: 'm', endpoint: '/v1/reply', code: 'E', name: 'Error', message });
    topics.retry.emit({
      model: 'm',
      endpoint: '/v1/reply',
      code: 'E',
      attempt: 2,
      delayMs: 1,
      message,
    });
    expect(entries.map((e) => e[2])).toEqual([
      '/v1/reply failed: refused\\u000d\\u000aINFO forged line',
      'retrying /v1/reply (attempt 2) in 1 ms: refused\\u000d\\u000aINFO forged line',
    ]);
  });
});
