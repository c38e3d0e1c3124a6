// `redactOnce`: a text each answer words anew (an id) scrubbed as `redact` would, told the same,
// only not remembered as clean.
import { describe, expect, it } from 'vitest';
import { gatherScrubs, Redactor, redactOnce, tellScrubs } from './secrets';

const KEY = 'sk-proj-AAAAaaaa1111bbbbCCCC2222';

describe('redactOnce', () => {
  it("scrubs what the redaction scrubs, and reports it as the redaction's own", () => {
    const told: [string | undefined, number][] = [];
    const redactor = new Redactor((endpoint, n) => told.push([endpoint, n]));
    redactor.add(KEY);
    const texts = [KEY, `chatcmpl-${KEY}`, Buffer.from(KEY).toString('base64'), 'chatcmpl-9x'];
    for (const text of texts) {
      expect(redactOnce(redactor.redact, text)).toBe(redactor.redact(text));
    }
    expect(told).toEqual([
      [undefined, 1],
      [undefined, 1],
      [undefined, 1],
      [undefined, 1],
      [undefined, 1],
      [undefined, 1],
    ]);
  });

  it("scrubs a key callback's key, gathered with the request's other scrubs into one report", () => {
    const told: [string | undefined, number][] = [];
    const redactor = new Redactor((endpoint, n) => told.push([endpoint, n]));
    const key = 'sk-proj-callback-0-Zq7Xv9Lm3Pw8';
    const redact = redactor.redactFor(key, 'chat');
    gatherScrubs(redact);
    expect(redactOnce(redact, `id-${key}`)).toBe('id-[redacted]');
    expect(redactOnce(redact, 'id-clean')).toBe('id-clean');
    expect(redact(key)).toBe('[redacted]');
    expect(told).toEqual([]);
    tellScrubs(redact);
    expect(told).toEqual([['chat', 2]]);
  });

  it('calls a redaction no Redactor made as it is', () => {
    expect(redactOnce((text) => text.toUpperCase(), 'id-1')).toBe('ID-1');
  });
});
