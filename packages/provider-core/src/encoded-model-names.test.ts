// A model name labels stats, metrics, spans and error events as it is. A key pasted there in an
// encoding (base64 from a config file, hex from a debugger) is the key too: the scrub of any text
// redacts it, so the name is refused as the raw key is, before anything is sent or counted.
import { afterEach, describe, expect, it } from 'vitest';
import { ask, cores, lineCore, streamed } from './__fixtures__/line-core';

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
});

const KEY = 'sk-proj-Qw7Lp2Zx8f3kd92msla0Rt';
const bytes = Buffer.from(KEY);
const ENCODED: [form: string, model: string][] = [
  ['base64', bytes.toString('base64')],
  ['base64url', Buffer.from(`${KEY}??>`).toString('base64url')],
  ['hex', bytes.toString('hex')],
  ['HEX', bytes.toString('hex').toUpperCase()],
  ['base64 of the header', Buffer.from(`Bearer ${KEY}`).toString('base64')],
];

describe('a model name holding the key encoded', () => {
  for (const [form, model] of ENCODED) {
    it(`is refused before sending, and labels nothing: ${form}`, async () => {
      let sent = 0;
      const core = lineCore('http://127.0.0.1:9', {
        apiKey: KEY,
        transport: async () => {
          sent++;
          throw new Error('not reached');
        },
      });
      const events: unknown[] = [];
      core.on('error', (event) => events.push(event));
      const error = await core.complete(streamed, { ...ask, model }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toBe(
        'Expected `request.model` to be a model name, not a credential, got `[redacted]` (string)',
      );
      expect(sent).toBe(0);
      const published = JSON.stringify([core.stats(), core.toPrometheus(), events]);
      expect(published).not.toContain(model.slice(0, 12));
    });
  }

  it('is taken as given when it only looks generated', async () => {
    let sent = 0;
    const core = lineCore('http://127.0.0.1:9', {
      apiKey: KEY,
      transport: async () => {
        sent++;
        throw new Error('refused');
      },
    });
    const model = Buffer.from('another-secret-entirely-0000').toString('base64');
    await core.complete(streamed, { ...ask, model }).catch(() => undefined);
    expect(sent).toBe(1);
    expect(JSON.stringify(core.stats())).toContain(model);
  });
});
