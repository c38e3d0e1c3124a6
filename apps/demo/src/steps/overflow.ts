import { isContextOverflowError, type OllamaProvider } from '@x/provider-ollama';
import { bold, dim, errorLine, type Out } from '../output';
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
  );
  const paragraph =
    'Incident report: the provider timed out, the retries piled up, and the queue grew until the service ran out of memory. ';
  const content = paragraph.repeat(Math.ceil(40_000 / paragraph.length));
  const served = () => target.sim?.stats().byRoute['/api/chat'];
  const before = served();
  try {
    await provider.complete({
      model: target.model,
      messages: [{ role: 'user', content: `Summarise:\n${content}` }],
      numCtx,
    });
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
}
