import type { OllamaProvider, ProgressEvent } from '@x/provider-ollama';
import { createOllamaProvider } from '@x/provider-ollama';
import { bold, dim, green, ms, type Out, shortDigests, tty } from '../output';
import { startDemoSim, type Target } from '../target';

const PULLED = 'tinyllama:1.1b';
const BAR = 24;

function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** `[██████░░░░]  60%  12.0/20.0 MB`: one layer's progress as text. */
function bar(completed: number, total: number): string {
  const fraction = total > 0 ? Math.min(1, completed / total) : 0;
  const filled = Math.round(fraction * BAR);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}] ${percent}  ${mb(completed)}/${mb(total)}`;
}

/**
 * Renders pull progress: on a terminal, one bar redrawn in place per layer; elsewhere (a pipe,
 * a CI log), plain lines, one per status and per quarter of each layer.
 */
class ProgressView {
  #status = '';
  #quarter = -1;
  #drawn = false;

  constructor(private readonly out: Out) {}

  show(event: ProgressEvent): void {
    const { status, total, completed } = event;
    const layer = total !== undefined && total > 0;
    if (status !== this.#status) {
      this.#endLine();
      this.#status = status;
      this.#quarter = -1;
      if (!layer || !tty) this.out.line(shortDigests(status));
    }
    if (!layer) return;
    const done = completed ?? 0;
    if (tty) {
      const label = shortDigests(status);
      this.out.write(`\r\x1b[K  ${label}  ${bar(done, total)}`);
      this.#drawn = true;
      return;
    }
    const quarter = Math.floor((done / total) * 4);
    if (quarter > this.#quarter) {
      this.#quarter = quarter;
      this.out.line(`  ${bar(done, total)}`);
    }
  }

  end(): void {
    this.#endLine();
  }

  #endLine(): void {
    if (this.#drawn) this.out.write('\n');
    this.#drawn = false;
  }
}

export async function pullStep(out: Out, target: Target): Promise<void> {
  out.explain(
    `Pulling a model: \`provider.pull()\` is an async iterable of Ollama's progress events (status,`,
    'digest, total, completed), drawn as a bar updated in place on a terminal, as plain lines in a',
    'log. Leaving the loop (or aborting) stops the download on the server.',
  );
  if (target.kind === 'ollama') {
    out.line(dim('(a real pull downloads gigabytes: this step pulls from an embedded simulator)'));
  }
  const sim = await startDemoSim({
    registry: [{ name: PULLED, size: 24_000_000, parameterSize: '1.1B' }],
    transferBytesPerSecond: 24_000_000,
  });
  let provider: OllamaProvider | undefined;
  const view = new ProgressView(out);
  try {
    provider = createOllamaProvider({ baseUrl: sim.url });
    const before = (await provider.listModels()).map((m) => m.name);
    out.line(`before: ${before.includes(PULLED) ? 'present' : `${PULLED} is not on the server`}`);
    const t0 = performance.now();
    let events = 0;
    let last: ProgressEvent | undefined;
    for await (const event of provider.pull({ model: PULLED })) {
      events++;
      last = event;
      view.show(event);
    }
    view.end();
    const after = (await provider.listModels()).find((m) => m.name === PULLED);
    out.line(
      `${green(last?.status ?? '?')}: ${events} progress events in ${ms(performance.now() - t0)}; ` +
        `${bold(PULLED)} is now listed (${after?.parameterSize ?? '?'} parameters, ${mb(after?.size ?? 0)})`,
    );
    const answer = await provider.generate({ model: PULLED, prompt: 'Say hello.' });
    out.line(dim(`and answers at once: generate() → "${answer.content.slice(0, 48)}…"`));
  } finally {
    view.end();
    await provider?.close();
    await sim.close();
  }
}
