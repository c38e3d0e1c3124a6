import { describe, expect, it } from 'vitest';
import { IncompleteStreamError } from './index';

const origin = { provider: 'test', label: 'Test' };
const partial = { content: 'Hel', thinking: '', toolCalls: [], chunks: 7 };

describe('IncompleteStreamError', () => {
  it('says the connection was closed before the end, and why it is not retried, when it was', () => {
    for (const code of ['UND_ERR_SOCKET', 'ECONNRESET']) {
      const cause = Object.assign(new Error('other side closed'), { code });
      const error = new IncompleteStreamError({ origin, partial, cause });
      expect(error.message).toBe(
        `Test's response ended before it was complete, after 7 chunk(s): the connection was closed before the end (${code}); not retried, as the answer had begun: what arrived is in \`error.partial\``,
      );
      expect(error.retryable).toBe(false);
    }
  });

  it('names another failure of the body by its code or class, after a message of its own', () => {
    const error = new IncompleteStreamError({
      origin,
      partial,
      message: 'Test ended without a done chunk after 7 chunk(s)',
      cause: new TypeError('broke'),
    });
    expect(error.message).toBe(
      'Test ended without a done chunk after 7 chunk(s): the body failed before the end (TypeError); not retried, as the answer had begun: what arrived is in `error.partial`',
    );
  });

  it('says nothing of the connection when the body ended cleanly without its last chunk', () => {
    const error = new IncompleteStreamError({ origin, partial });
    expect(error.message).toBe("Test's response ended before it was complete, after 7 chunk(s)");
  });
});
