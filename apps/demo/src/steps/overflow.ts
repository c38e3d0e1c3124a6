import {
  createOllamaProvider,
  isContextOverflowError,
  isServerTooOldError,
  type OllamaProvider,
} from '@x/provider-ollama';
import { bold, clip, dim, errorLine, green, type Out, yellow } from '../output';
import type { Target } from '../target';

export async function overflowStep(
  out: Out,
  target: Target,
  provider: OllamaProvider,
): Promise<void> {
  const numCtx = 2048;
  out.explain(
    `A prompt of about 40 KB against a ${numCtx}-token window. Ollama would truncate it silently and`,
    'answer about something else; the provider estimates the prompt first and refuses to send it.',
    "Sent anyway (`tokens: { onOverflow: 'allow' }`), Ollama cuts it and the answer is flagged",
    '`truncated`; with `truncate: false` the server refuses it instead: a ContextOverflowError too.',
  );
  const paragraph =
    'Incident report: the provider timed out, the retries piled up, and the queue grew until the service ran out of memory. ';
  const content = paragraph.repeat(Math.ceil(40_000 / paragraph.length));
  const messages = [{ role: 'user' as const, content: `Summarise:\n${content}` }];
  const served = () => target.sim?.stats().byRoute['/api/chat'];
  const before = served();
  try {
    await provider.complete({ model: target.model, messages, numCtx });
    out.line('the request was sent (no overflow detected)');
  } catch (e) {
    if (!isContextOverflowError(e)) throw e;
    out.line(`caught before sending: ${bold(errorLine(e))}`);
    out.line(
      `prompt ≈ ${e.promptTokens} tokens (${e.source}), window ${e.contextWindow}, reserved for the answer ${e.reserveOutputTokens}, over by ${bold(String(e.overflowBy))}`,
    );
  }
  const after = served();
  if (before !== undefined && after !== undefined) {
    out.line(dim(`requests the server received for it: ${after - before}`));
  }

  // the same prompt sent past the estimate, by a provider that lets it through
  const allowing = createOllamaProvider({
    baseUrl: target.baseUrl,
    cache: false,
    tokens: { onOverflow: 'allow' },
  });
  try {
    const cut = await allowing.complete({ model: target.model, messages, numCtx, maxTokens: 8 });
    out.line(
      `sent, Ollama's default (truncate: true): answered, but it read only ${cut.usage.promptTokens ?? '?'} tokens of the prompt → truncated: ${cut.truncated ? yellow('true') : 'false'}`,
    );
    try {
      await allowing.complete({
        model: target.model,
        messages,
        numCtx,
        maxTokens: 8,
        truncate: false,
      });
      out.line('sent with truncate: false: answered (this server does not know `truncate`)');
    } catch (e) {
      if (isServerTooOldError(e)) {
        // A real Ollama before 0.12.6 would drop the field and cut the prompt anyway.
        out.line(
          `truncate: false: ${green('refused before sending')}: this Ollama is ${e.serverVersion}, the field needs ${e.minVersion}`,
        );
        return;
      }
      if (!isContextOverflowError(e)) throw e;
      const code = (e as { code?: string }).code;
      out.line(
        `sent with truncate: false: ${green('refused by the server')} → ${bold(`${e.name} [${code}]`)}, source: ${e.source}`,
      );
      // the server's own words, from the message that quotes its answer (JSON, maybe escaped)
      const said = /\\?"message\\?":\s*\\?"(.+?)\\?"/.exec(e.message)?.[1] ?? e.message;
      out.line(dim(`the server said: ${clip(said, 110)}`));
    }
  } finally {
    await allowing.close();
  }
}
