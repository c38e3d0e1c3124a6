import { describe, expect, it } from 'vitest';
import { Redactor } from './secrets';

describe('Redactor', () => {
  it('scrubs a key echoed raw, URL-encoded and base64-encoded', () => {
    const redactor = new Redactor();
    const key = 'sk-a/b+c=d ef';
    redactor.add(key);
    const echoed = [
      key,
      encodeURIComponent(key),
      encodeURIComponent(key).replace(/%20/g, '+'),
      Buffer.from(key).toString('base64'),
      Buffer.from(key).toString('base64url'),
    ].join(' | ');
    const out = redactor.redact(`bad key: ${echoed}`);
    expect(out).not.toContain('sk-a');
    expect(out).not.toContain(Buffer.from(key).toString('base64').slice(0, 12));
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(5);
  });

  it('scrubs the bare token of a Bearer or Basic header value, and the Basic password', () => {
    const redactor = new Redactor();
    redactor.add('Bearer tok-123456');
    const basic = Buffer.from('user:hunter2-pass').toString('base64');
    redactor.add(`Basic ${basic}`);
    const out = redactor.redact(`got tok-123456 and ${basic} and hunter2-pass`);
    expect(out).toBe('got [redacted] and [redacted] and [redacted]');
  });

  it('scrubs any Bearer token even when it is not a known secret', () => {
    expect(new Redactor().redact('Authorization: Bearer abc.def-ghi')).toBe(
      'Authorization: Bearer [redacted]',
    );
  });

  it('redacts a configured key in every form through the shared function, built once', () => {
    const redactor = new Redactor();
    const key = 'sk/live+key=0123';
    redactor.add(key);
    const redact = redactor.redactFor(key);
    expect(redact).toBe(redactor.redact);
    const base64 = Buffer.from(key).toString('base64');
    expect(redact(`${key} ${encodeURIComponent(key)} ${base64}`)).toBe(
      '[redacted] [redacted] [redacted]',
    );
  });

  it('keeps recognising the last keys handed out per request, and no more than a few', () => {
    const redactor = new Redactor();
    for (let i = 0; i < 20; i++) redactor.remember(`key-number-${i}`);
    expect(redactor.redact('key-number-19')).toBe('[redacted]');
    expect(redactor.redact('key-number-0')).toBe('key-number-0');
    expect(redactor.redactFor('key-number-0')('key-number-0')).toBe('[redacted]');
  });
});
