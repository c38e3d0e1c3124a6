import { describe, expect, it } from 'vitest';
import { expectKeyAlone, keyScheme } from './key-alone';

const SENT = 'it is sent as `Authorization: Bearer <key>`';

describe('keyScheme', () => {
  it.each([
    ['Bearer sk-0123456789', 'Bearer'],
    ['bearer sk-0123456789', 'Bearer'],
    [' \tBEARER\tsk-0123456789', 'Bearer'],
    ['Basic dXNlcjpwYXNz', 'Basic'],
    ['basic dXNlcjpwYXNz', 'Basic'],
    // copied from a web page: a no-break space after the word, and before it
    ['Bearer\u00a0sk-0123456789', 'Bearer'],
    ['\u00a0Basic\u2009dXNlcjpwYXNz', 'Basic'],
  ] as const)('reads the scheme written in front of %j', (key, scheme) => {
    expect(keyScheme(key)).toBe(scheme);
  });

  it.each(['sk-0123456789', 'Bearer', 'Bearer-sk-0123', 'bearerToken 1', 'my Bearer key', ''])(
    'finds none in %j, which starts with no scheme and a space',
    (key) => {
      expect(keyScheme(key)).toBeUndefined();
    },
  );
});

describe('expectKeyAlone', () => {
  it('refuses a blank key with a RangeError that never shows it', () => {
    expect(() => expectKeyAlone('apiKey', ' \t ', false, SENT)).toThrow(
      new RangeError('Expected `apiKey` to be a non-empty string, got `[redacted]` (string)'),
    );
    expect(() => expectKeyAlone('apiKey', '', true, SENT)).toThrow(RangeError);
  });

  it('refuses a key written with its scheme, naming the scheme and never the key', () => {
    const refuse = () => expectKeyAlone('MY_API_KEY', 'basic sk-SECRET-0123456789', false, SENT);
    expect(refuse).toThrow(
      new RangeError(
        'Expected `MY_API_KEY` to be the key alone, without "Basic " in front (it is sent as `Authorization: Bearer <key>`), got `[redacted]` (string)',
      ),
    );
    expect(refuse).not.toThrow(/SECRET/);
  });

  it('takes a scheme in a key the provider sends as written, and a key alone', () => {
    expect(() => expectKeyAlone('apiKey', 'Basic dXNlcjpwYXNz', true, SENT)).not.toThrow();
    expect(() => expectKeyAlone('apiKey', 'sk-0123 456789', false, SENT)).not.toThrow();
  });
});
