import { releaseSharedBreaker } from '@x/breaker';
import { createOllamaProvider } from '@x/provider-ollama';
import { createOpenAIProvider } from '@x/provider-openai';
import { bold, clip, dim, errorLine, green, type Out, red } from '../output';
import { SIM_MODEL, startDemoSim, type Target } from '../target';

const SHARE = 'demo-gpu';
const SLOTS = 2;
const CALLS = 12;

export async function shareStep(out: Out, target: Target): Promise<void> {
  out.explain(
    `Two providers on one server with ${SLOTS} parallel slots (OLLAMA_NUM_PARALLEL=${SLOTS}): @x/provider-ollama`,
    `and @x/provider-openai on its /v1. \`maxConcurrent: ${SLOTS}\` keeps the queue in the process (FIFO,`,
    `abortable, with a timeout); \`share: '${SHARE}'\` gives both one set of slots and one breaker,`,
    'from the process-wide registries, without passing instances around.',
  );
  if (target.kind === 'ollama') {
    out.line(dim('(this step needs faults on demand: it runs against an embedded simulator)'));
  }
  const sim = await startDemoSim({ numParallel: SLOTS });
  const common = {
    share: SHARE,
    maxConcurrent: SLOTS,
    rateLimit: false,
    cache: false,
    retry: false,
  } as const;
  const ollama = createOllamaProvider({ baseUrl: sim.url, ...common });
  const openai = createOpenAIProvider({ preset: 'ollama', baseUrl: `${sim.url}/v1`, ...common });
  const slots = ollama.concurrencyLimiter!;
  try {
    out.line(
      `same limiter: ${bold(String(openai.concurrencyLimiter === slots))} · same breaker: ${bold(String(openai.breaker === ollama.breaker))}`,
    );
    let peakActive = 0;
    let peakQueued = 0;
    const watch = setInterval(() => {
      peakActive = Math.max(peakActive, slots.active);
      peakQueued = Math.max(peakQueued, slots.queued);
    }, 1);
    const ask = (i: number) => ({
      model: SIM_MODEL,
      messages: [{ role: 'user' as const, content: `question ${i}` }],
      maxTokens: 16,
    });
    try {
      await Promise.all(
        Array.from({ length: CALLS }, (_, i) =>
          i % 2 === 0 ? ollama.complete(ask(i)) : openai.complete(ask(i)),
        ),
      );
    } finally {
      clearInterval(watch);
    }
    out.line(
      `${CALLS} calls at once, half through each provider: at most ${bold(String(peakActive))} in flight, ` +
        `up to ${peakQueued} waiting in the process, ${bold(String(sim.stats().peakQueued))} ever queued at the server`,
    );
    out.line(dim(`slots: ${JSON.stringify(slots.stats())}`));

    out.line(red('the server starts failing'));
    const fault = { kind: 'status', status: 500 } as const;
    sim.setFaults([
      { route: '/api/chat', fault },
      { route: '/v1/chat/completions', fault },
    ]);
    for (let i = 0; i < 3; i++) {
      await ollama.complete(ask(100 + i)).catch((e: unknown) => {
        out.line(`ollama call ${i + 1}  ${red('×')}  ${dim(clip(errorLine(e), 90))}`);
      });
    }
    const served = sim.stats().requests;
    const refused = await openai.complete(ask(200)).catch((e: unknown) => e);
    // Cut after what the refusal says of the breaker: shared, and whose failure it counted.
    out.line(`openai call    ${red('×')}  ${dim(clip(errorLine(refused), 240))}`);
    out.line(
      `${green('one outage state')}: the breaker ollama opened refused openai's call; the server saw ${sim.stats().requests - served} request(s) for it`,
    );
  } finally {
    await ollama.close();
    await openai.close();
    // Shared pieces outlive their providers: end them by hand.
    slots.close();
    releaseSharedBreaker(SHARE);
    await sim.close();
  }
}
