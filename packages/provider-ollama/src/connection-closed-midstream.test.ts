import { describe, expect, it } from 'vitest';
import { ask, chatChunk, chats, collect, fixtureSetup, type Handler } from './__fixtures__/server';
import { isIncompleteStreamError } from './errors';

const { setup } = fixtureSetup();

/** Seven chunks, then the socket ended as `end` says: closed, reset, or the body ended cleanly. */
const cut =
  (end: 'destroy' | 'reset' | 'clean'): Handler =>
  async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (let i = 0; i < 7; i++) res.write(chatChunk(`c${i}`));
    await new Promise((r) => setTimeout(r, 5));
    if (end === 'destroy') res.socket?.destroy();
    else if (end === 'reset') res.socket?.resetAndDestroy();
    else res.end();
  };

describe('IncompleteStreamError from Ollama', () => {
  it('says the connection was closed before the end when the server dropped it mid-stream', async () => {
    for (const [end, code] of [
      ['destroy', 'UND_ERR_SOCKET'],
      ['reset', 'ECONNRESET'],
    ] as const) {
      const { server, provider } = await setup({ '/api/chat': cut(end) });
      const streamed = await collect(provider.stream(ask())).catch((e: unknown) => e);
      const whole = await provider.complete(ask()).catch((e: unknown) => e);
      for (const error of [streamed, whole] as Error[]) {
        expect(isIncompleteStreamError(error), end).toBe(true);
        expect(error.message, end).toBe(
          `Ollama's response ended without a done chunk after 7 chunk(s): the connection was closed before the end (${code}); not retried, as the answer had begun: what arrived is in \`error.partial\``,
        );
      }
      expect(chats(server), end).toHaveLength(2);
    }
  });

  it('says nothing of the connection when the body ended without a done chunk', async () => {
    const { provider } = await setup({ '/api/chat': cut('clean') });
    const error = (await collect(provider.stream(ask())).catch((e: unknown) => e)) as Error;
    expect(isIncompleteStreamError(error)).toBe(true);
    expect(error.message).toBe("Ollama's response ended without a done chunk after 7 chunk(s)");
  });
});
