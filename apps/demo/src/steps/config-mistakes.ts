import { createOllamaProvider, isProviderErrorOfKind } from '@x/provider-ollama';
import { createOpenAIProvider } from '@x/provider-openai';
import { isProviderError } from '@x/router';
import { bold, dim, errorLine, green, type Out, red } from '../output';
import { startDemoSim, type Target } from '../target';

/** Builds a provider the way the user wrote it, and prints what they would see. */
async function refused(
  out: Out,
  written: string,
  build: () => { close(): Promise<void> },
): Promise<void> {
  out.line(written);
  let provider: { close(): Promise<void> };
  try {
    provider = build();
  } catch (e) {
    out.line(`  ${red('→')} ${errorLine(e)}`);
    return;
  }
  await provider.close();
  out.line(red('  accepted (this mistake was not caught)'));
}

export async function configMistakesStep(out: Out, target: Target): Promise<void> {
  out.explain(
    'The mistakes of a first hour with a new client, each as the user meets it. A base URL with the',
    'endpoint pasted on, or a key with "Bearer " in front, would fail every call (404, 401): the',
    'constructor refuses them, naming the field and saying what to write, before anything is sent.',
    'An https:// URL on a plain-HTTP server fails its TLS handshake: a typed connection error that',
    'says what it means, not retried (a retry would meet the same server), not counted by the breaker.',
  );
  // A plain-HTTP server to make the TLS mistake against: the target itself, unless it is https.
  const own = target.baseUrl.startsWith('http://') ? undefined : await startDemoSim();
  const sim = own ?? target.sim;
  const plain = own?.url ?? target.baseUrl;
  try {
    await refused(out, `createOllamaProvider({ baseUrl: '${plain}/api/chat' })`, () =>
      createOllamaProvider({ baseUrl: `${plain}/api/chat` }),
    );
    await refused(
      out,
      `createOpenAIProvider({ baseUrl: '${plain}/v1/chat/completions', apiKey: 'demo-key' })`,
      () => createOpenAIProvider({ baseUrl: `${plain}/v1/chat/completions`, apiKey: 'demo-key' }),
    );
    await refused(
      out,
      `createOpenAIProvider({ baseUrl: '${plain}/v1', apiKey: 'Bearer demo-key' })`,
      () => createOpenAIProvider({ baseUrl: `${plain}/v1`, apiKey: 'Bearer demo-key' }),
    );

    const https = plain.replace(/^http:/, 'https:');
    // A breaker that would open on the first failure it counts: this one it does not count.
    const ollama = createOllamaProvider({
      baseUrl: https,
      breaker: { failureThreshold: 1 },
      cache: false,
    });
    const before = sim?.stats().requests;
    out.line(
      `createOllamaProvider({ baseUrl: '${https}', breaker: { failureThreshold: 1 } }).complete(...)`,
    );
    try {
      await ollama.complete({ model: target.model, messages: [{ role: 'user', content: 'Hi' }] });
      out.line(red('  answered (this mistake was not caught)'));
    } catch (e) {
      out.line(`  ${red('→')} ${errorLine(e)}`);
      if (!isProviderErrorOfKind(e, 'connection')) throw e;
      out.line(
        `  isProviderErrorOfKind(e, 'connection') from @x/provider-ollama → ${green('true')} · causeCode ${bold(e.causeCode ?? '?')} · retryable ${e.retryable} · retried ${ollama.stats().retries} time(s) · breaker ${ollama.breaker?.state ?? '?'} (failures counted: ${ollama.breaker?.stats().failures ?? '?'})`,
      );
    } finally {
      await ollama.close();
    }
    const after = sim?.stats().requests;
    if (before !== undefined && after !== undefined) {
      out.line(
        dim(
          `requests the server received: ${after - before} (the handshake never became an HTTP request)`,
        ),
      );
    }

    const openai = createOpenAIProvider({ baseUrl: `${https}/v1`, apiKey: 'demo-key' });
    out.line(`createOpenAIProvider({ baseUrl: '${https}/v1', apiKey: 'demo-key' }).complete(...)`);
    try {
      await openai.complete({ model: target.model, messages: [{ role: 'user', content: 'Hi' }] });
      out.line(red('  answered (this mistake was not caught)'));
    } catch (e) {
      // The guards of @x/provider-core, re-exported by each provider and the router: one check
      // for any provider's failure, and each kind's fields typed (`causeCode` above).
      if (!isProviderError(e)) throw e;
      out.line(`  ${red('→')} ${errorLine(e)}`);
      out.line(
        `  isProviderError(e) from @x/router → ${green('true')} · kind ${bold(e.kind)} · retryable ${e.retryable}`,
      );
    } finally {
      await openai.close();
    }
  } finally {
    await own?.close();
  }
}
