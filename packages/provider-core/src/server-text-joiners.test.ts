// A zero-width non-joiner (U+200C) or joiner (U+200D) between two visible characters is part of
// the text (Persian words, emoji sequences): a server's text keeps it in errors, events and log
// lines. Every other invisible character, and a joiner that joins nothing visible, is still
// escaped, so no server forges a log line or turns one around with them.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PackageLog } from '@x/internal';
import { recordingLogger } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, observedProvider } from './__fixtures__/observed';
import { createProviderTopics } from './observe/events';
import { logEvents } from './observe/log';
import { cutServerText, redactedServerText, SERVER_TEXT_MAX } from './server-text';

/** "I want" in Persian: a ZWNJ between the prefix می and the verb. */
const PERSIAN = 'می\u200cخواهم';
/** Man, woman, girl joined by two ZWJ. */
const FAMILY = '👨\u200d👩\u200d👧';
/** Heart on fire: a variation selector (a mark), then a ZWJ. */
const HEART_ON_FIRE = '❤\ufe0f\u200d🔥';
const same = (text: string) => text;

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** A server answering every request with a 500 and `{ error: { message } }`. */
async function startFailing(message: string): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('joiners in a server text', () => {
  it.each([
    ['a Persian word with a ZWNJ', `خطا: ${PERSIAN}`],
    ['an emoji family joined by ZWJ', `family ${FAMILY} here`],
    ['an emoji ZWJ sequence after a variation selector', `${HEART_ON_FIRE}!`],
  ])('keeps %s as it is', (_, text) => {
    expect(cutServerText(text)).toBe(text);
    expect(redactedServerText(text, same)).toBe(text);
    // shown again, unchanged
    expect(cutServerText(cutServerText(text))).toBe(text);
  });

  it.each([
    ['a bidi override', 'evil\u202eline', 'evil\\u202eline'],
    ['bidi isolates', 'a\u2066b\u2069c', 'a\\u2066b\\u2069c'],
    ['marks of direction', 'a\u200fb\u200ec', 'a\\u200fb\\u200ec'],
    ['a zero-width space', 'sk\u200bkey', 'sk\\u200bkey'],
    ['a ZWJ at the start', '\u200dabc', '\\u200dabc'],
    ['a ZWNJ at the end', 'abc\u200c', 'abc\\u200c'],
    ['a run of joiners', 'a\u200d\u200cb', 'a\\u200d\\u200cb'],
    ['a joiner beside a space', 'a \u200db', 'a \\u200db'],
    [
      'a joiner beside a line break',
      'ok\u200d\r\nINFO forged',
      'ok\\u200d\\u000d\\u000aINFO forged',
    ],
    ['a joiner beside a bidi override', 'a\u200d\u202eb', 'a\\u200d\\u202eb'],
    ['a joiner beside a lone surrogate', 'a\u200d\ud83d', 'a\\u200d\\ud83d'],
  ])('escapes %s', (_, text, shown) => {
    expect(cutServerText(text)).toBe(shown);
    expect(cutServerText(cutServerText(text))).toBe(shown);
  });

  it('drops a joiner the cut parts from what it joined, and an escape the cut splits', () => {
    const before = 'a'.repeat(SERVER_TEXT_MAX - 2);
    // the cut falls between the joiner and the character it joins
    expect(cutServerText(`${before}b\u200dc`)).toBe(`${before}b`);
    expect(cutServerText(`${before}\u200cbc`)).toBe(`${before}\u200cb`);
    // the cut falls inside the second emoji of the family, after the joiner
    const family = cutServerText(`${'a'.repeat(SERVER_TEXT_MAX - 3)}${FAMILY}`);
    expect(family).toBe(`${'a'.repeat(SERVER_TEXT_MAX - 3)}👨`);
    // the cut leaves only the backslash of an escape
    expect(cutServerText(`${'a'.repeat(SERVER_TEXT_MAX - 1)}\u0000 and more`)).toBe(
      'a'.repeat(SERVER_TEXT_MAX - 1),
    );
    for (const text of [`${before}b\u200dc`, `${'a'.repeat(SERVER_TEXT_MAX - 3)}${FAMILY}`]) {
      expect(cutServerText(cutServerText(text))).toBe(cutServerText(text));
    }
  });
});

describe("joiners in a failed call's error, events and log lines", () => {
  it('keeps them between visible characters and escapes the forged rest', async () => {
    const said = `${PERSIAN} ${FAMILY}\u202e\r\nINFO forged`;
    const shown = `${PERSIAN} ${FAMILY}\\u202e\\u000d\\u000aINFO forged`;
    const url = await startFailing(said);
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
    expect(error.serverMessage).toBe(shown);
    expect(error.message).toContain(shown);
    expect(events).toHaveLength(2);
    for (const e of events) expect(e.message).toContain(shown);
    const lines = entries
      .filter((e) => e[1].package === '@x/provider-reply')
      .map((e) => e[2] ?? '');
    expect(lines.filter((line) => line.includes(shown))).toHaveLength(2);
  });

  it('keeps them in the log line of a message the provider did not word', () => {
    const { logger, entries } = recordingLogger();
    const topics = createProviderTopics('provider-reply', 'p');
    logEvents(new PackageLog('provider-reply', logger, { provider: 'p' }), topics);
    const message = `${PERSIAN}\u200d\u200d${FAMILY}\u2067x`;
    topics.error.emit({ model: 'm', endpoint: '/v1/reply', code: 'E', name: 'Error', message });
    expect(entries.map((e) => e[2])).toEqual([
      `/v1/reply failed: ${PERSIAN}\\u200d\\u200d${FAMILY}\\u2067x`,
    ]);
  });
});
