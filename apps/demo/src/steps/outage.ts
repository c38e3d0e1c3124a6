import { createBreaker } from '@x/breaker';
import { createOllamaProvider } from '@x/provider-ollama';
import {
  bold,
  clip,
  createEventLines,
  dim,
  errorLine,
  green,
  ms,
  type Out,
  red,
  sleep,
  yellow,
} from '../output';
import { SIM_MODEL, startDemoSim, type Target } from '../target';

export async function outageStep(out: Out, target: Target): Promise<void> {
  const openTimeoutMs = 1000;
  const failureThreshold = 3;
  out.explain(
    `A server that starts failing (every chat answers HTTP 500, injected in the simulator). After ${failureThreshold}`,
    'consecutive failures the breaker opens and rejects calls at once, without touching the server.',
    `After ${ms(openTimeoutMs)} probes are let through one at a time; 2 successful probes close it again.`,
  );
  if (target.kind === 'ollama') {
    out.line(
      dim(
        '(a real server cannot be broken on purpose: this step runs against an embedded simulator)',
      ),
    );
  }
  const sim = await startDemoSim({ tokensPerSecond: 0 });
  const breaker = createBreaker({
    name: 'demo',
    failureThreshold,
    successThreshold: 2,
    openTimeoutMs,
    halfOpenMaxProbes: 1,
  });
  const t0 = performance.now();
  // The listener runs inside the call that moved the breaker: its line waits for that call's.
  const events = createEventLines(out);
  const off = breaker.onStateChange((e) => {
    const paint = e.to === 'open' ? red : e.to === 'half-open' ? yellow : green;
    events.line(
      bold(
        `  ⇒ breaker ${e.from} → ${paint(e.to)} (${e.reason}) at +${(performance.now() - t0).toFixed(0)} ms`,
      ),
    );
  });
  const provider = createOllamaProvider({
    baseUrl: sim.url,
    breaker,
    retry: false,
    cache: false,
    rateLimit: false,
  });
  const served = () => sim.stats().byRoute['/api/chat'] ?? 0;
  let n = 0;
  const call = async () => {
    n++;
    const started = performance.now();
    events.hold();
    try {
      await provider.complete({
        model: SIM_MODEL,
        messages: [{ role: 'user', content: `ping ${n}` }],
      });
      out.line(`call ${String(n).padStart(2)}  ${green('ok')}  ${ms(performance.now() - started)}`);
    } catch (e) {
      const text = errorLine(e);
      out.line(
        `call ${String(n).padStart(2)}  ${red('×')}   ${ms(performance.now() - started)}  ${dim(clip(text, 110))}`,
      );
    } finally {
      events.flush();
    }
  };
  try {
    await provider.initialize();
    await call();
    out.line(yellow('the server starts failing'));
    sim.setFaults([{ route: '/api/chat', fault: { kind: 'status', status: 500 } }]);
    let before = served();
    for (let i = 0; i < failureThreshold; i++) await call();
    out.line(
      dim(
        `the server received ${served() - before} of these ${failureThreshold} calls; the breaker is now ${breaker.state}`,
      ),
    );
    before = served();
    for (let i = 0; i < 3; i++) await call();
    out.line(
      dim(
        `the server saw ${served() - before} of the last 3 calls: the open breaker answered them itself`,
      ),
    );
    out.line(yellow('the server recovers'));
    sim.setFaults([]);
    await call();
    await sleep(openTimeoutMs + 50);
    await call();
    await call();
    await call();
    const s = breaker.stats();
    out.line(
      `breaker: state ${bold(breaker.state)}, ${s.failures} failures, ${s.rejections} rejected at once, ${s.probes} probes, opened ${s.opened} time(s)`,
    );
  } finally {
    off();
    await provider.close();
    await sim.close();
  }
}
