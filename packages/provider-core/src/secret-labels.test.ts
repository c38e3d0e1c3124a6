import { errorTexts } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, cores, lineCore, streamed } from './__fixtures__/line-core';
import type { ProviderCore } from './index';

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
});

const KEY = 'correct-horse-battery-staple-42';
const HEADER = 'Qw7Lp2Zx-8f3kd92msla-proxy';
const REFUSED = 'http://127.0.0.1:9';
type Options = Parameters<typeof lineCore>[1];

describe('a label option holding a configured secret', () => {
  const labels: [field: string, options: Options][] = [
    ['name', { name: KEY }],
    ['share', { share: KEY }],
    ['share.breaker', { share: { breaker: `${KEY}-b` } }],
    ['share.rateLimit', { share: { rateLimit: KEY } }],
    ['share.maxConcurrent', { share: { maxConcurrent: KEY }, maxConcurrent: 2 }],
    ['share.cache', { share: { cache: KEY } }],
    ['breaker.name', { breaker: { name: `breaker of ${KEY}` } }],
    ['cache.namespace', { cache: { namespace: KEY } }],
    ['rateLimit.key', { rateLimit: { requestsPerSecond: 1, key: KEY.toUpperCase() } }],
    ['share', { share: HEADER, apiKey: undefined, headers: { 'x-api-key': HEADER } }],
  ];
  for (const [field, options] of labels) {
    it(`is refused, and not shown: ${field}`, () => {
      let error: unknown;
      try {
        lineCore(REFUSED, { apiKey: KEY, ...options });
      } catch (e) {
        error = e;
      }
      // A string of the right type holding what no label may: a RangeError (the house rule).
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toBe(
        `Expected \`${field}\` to be a label, not a credential, got \`[redacted]\` (string)`,
      );
      for (const text of errorTexts([error])) {
        expect(text.toLowerCase()).not.toContain('horse-battery');
        expect(text).not.toContain('8f3kd92m');
      }
    });
  }

  // A scrub finds a key with a NUL beside each character (UTF-16 read as UTF-8) or split by
  // invisible characters: a label holding it so is the key too. Before, it was taken (the
  // zero-width one published as the label) or refused by the label's own check, which quoted it.
  const utf16 = Buffer.from(KEY, 'utf16le').toString('utf8');
  const hidden: [form: string, value: string][] = [
    ['UTF-16 LE', utf16],
    ['UTF-16 BE', Buffer.from(KEY, 'utf16le').swap16().toString('latin1')],
    ['zero-width spaces', [...KEY].join('\u200b')],
  ];
  const fields: [field: string, options: (value: string) => Options][] = [
    ['name', (value) => ({ name: value })],
    ['share', (value) => ({ share: value })],
    ['breaker.name', (value) => ({ breaker: { name: value } })],
    ['cache.namespace', (value) => ({ cache: { namespace: value } })],
    ['rateLimit.key', (value) => ({ rateLimit: { requestsPerSecond: 1, key: value } })],
  ];
  for (const [form, value] of hidden) {
    for (const [field, options] of fields) {
      it(`is refused, and not shown, in ${form}: ${field}`, () => {
        let error: unknown;
        try {
          lineCore(REFUSED, { apiKey: KEY, ...options(value) });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RangeError);
        expect((error as Error).message).toBe(
          `Expected \`${field}\` to be a label, not a credential, got \`[redacted]\` (string)`,
        );
        for (const text of errorTexts([error])) {
          const read = text.replace(/\\u0000|\0|\u200b|\\u200b/g, '');
          expect(read.toLowerCase()).not.toContain('correct-h');
        }
      });
    }
  }

  it('is refused, and not shown, in a model split by zero-width spaces', async () => {
    let sent = 0;
    const core = lineCore(REFUSED, {
      apiKey: KEY,
      transport: async () => {
        sent++;
        throw new Error('not reached');
      },
    });
    const model = `m-${[...KEY].join('\u200b')}`;
    const error = await core.complete(streamed, { ...ask, model }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe(
      'Expected `request.model` to be a model name, not a credential, got `[redacted]` (string)',
    );
    expect(sent).toBe(0);
  });

  it('is taken as given when it holds no secret', async () => {
    const core = lineCore(REFUSED, {
      apiKey: KEY,
      name: 'gpu-1',
      share: { breaker: 'gpu-pool', cache: 'answers' },
      breaker: { name: 'gpu-1 breaker' },
      cache: { namespace: 'chat' },
      rateLimit: { requestsPerSecond: 1, key: 'gpu-1 quota' },
    });
    expect(core.name).toBe('gpu-1');
  });
});

describe('a model holding a login', () => {
  const PW = 'hunter2pass';
  for (const model of [
    `http://bob:${PW}@host/m`,
    `https://bob:${PW}@hf.co/org/model`,
    `bob:${PW}@registry.example.com/ns/model:tag`,
  ]) {
    it(`is refused before anything is sent, and not shown: ${model.replace(PW, 'PW')}`, async () => {
      let sent = 0;
      const core: ProviderCore = lineCore(REFUSED, {
        transport: async () => {
          sent++;
          throw new Error('not reached');
        },
      });
      const error = await core.complete(streamed, { ...ask, model }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toBe(
        'Expected `request.model` to be a model name without credentials (never a URL with a password), got `[redacted]` (string)',
      );
      expect(sent).toBe(0);
      const everything = [
        ...errorTexts([error]),
        JSON.stringify(core.stats()),
        core.toPrometheus(),
      ];
      for (const text of everything) expect(text).not.toContain(PW);
    });
  }

  it('is not a pinned digest, a dated version or a path holding an @', async () => {
    const models = [
      `smollm2:latest@sha256:${'0123456789abcdef'.repeat(4)}`,
      'claude-3-5-sonnet-v2@20241022',
      'unpkg.com/react@18',
    ];
    const core = lineCore(REFUSED, { transport: async () => Promise.reject(new Error('down')) });
    for (const model of models) {
      const error = await core.complete(streamed, { ...ask, model }).catch((e: unknown) => e);
      expect((error as Error).name, model).toBe('ProviderConnectionError');
    }
  });
});
