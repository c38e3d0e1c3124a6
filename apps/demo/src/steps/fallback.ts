import { createOllamaProvider } from '@x/provider-ollama';
import { createRouter } from '@x/router';
import { bold, createEventLines, dim, green, ms, type Out, red, sleep, yellow } from '../output';
import { SIM_MODEL, startDemoSim, type Target } from '../target';

export async function fallbackStep(out: Out, target: Target): Promise<void> {
  const cooldownMs = 1000;
  out.explain(
    'A router over two deployments of one model: a primary and a backup, each its own server. When the',
    'primary fails (HTTP 503, injected), the call moves to the backup; after 2 failures in a row the',
    `primary is taken out for ${ms(cooldownMs)} and passed over without a call; then one probe brings it back.`,
  );
  if (target.kind === 'ollama') {
    out.line(
      dim(
        '(a real server cannot be broken on purpose: this step runs against embedded simulators)',
      ),
    );
  }
  const [primarySim, backupSim] = await Promise.all([
    startDemoSim({ tokensPerSecond: 0 }),
    startDemoSim({ tokensPerSecond: 0 }),
  ]);
  // The router's fallback is the retry here: each provider makes one attempt.
  const options = { retry: false, cache: false, rateLimit: false } as const;
  const router = createRouter({
    deployments: [
      {
        id: 'primary',
        group: 'chat',
        provider: createOllamaProvider({ baseUrl: primarySim.url, ...options }),
        model: SIM_MODEL,
      },
      {
        id: 'backup',
        group: 'chat',
        provider: createOllamaProvider({ baseUrl: backupSim.url, ...options }),
        model: SIM_MODEL,
        priority: 1,
      },
    ],
    cooldown: { failures: 2, durationMs: cooldownMs },
    closeProviders: true,
  });
  const t0 = performance.now();
  const at = () => `at +${(performance.now() - t0).toFixed(0)} ms`;
  // The listeners run inside the call that took the primary out or probed it back: their lines
  // wait for that call's.
  const events = createEventLines(out);
  router.onCooldown((e) =>
    events.line(
      bold(`  ⇒ ${e.deployment} ${red('taken out')} for ${ms(e.durationMs)} (${e.reason}) ${at()}`),
    ),
  );
  router.onRecovered((e) =>
    events.line(bold(`  ⇒ ${e.deployment} ${green('back in rotation')} (${e.source}) ${at()}`)),
  );
  let n = 0;
  const call = async () => {
    n++;
    const started = performance.now();
    events.hold();
    try {
      const { route } = await router.complete({
        model: 'chat',
        messages: [{ role: 'user', content: `ping ${n}` }],
      });
      const before = route.attempts.map((a) => `${a.deployment} failed: ${a.error.code}`);
      out.line(
        `call ${n}  served by ${bold(route.deployment)}  ${ms(performance.now() - started)}${
          before.length > 0 ? `  ${dim(`(${before.join(', ')})`)}` : ''
        }`,
      );
    } finally {
      events.flush();
    }
  };
  try {
    await call();
    out.line(yellow('the primary starts failing'));
    primarySim.setFaults([{ route: '/api/chat', fault: { kind: 'status', status: 503 } }]);
    await call();
    await call();
    const seen = primarySim.stats().byRoute['/api/chat'] ?? 0;
    await call();
    await call();
    out.line(
      dim(
        `the primary saw ${(primarySim.stats().byRoute['/api/chat'] ?? 0) - seen} of the last 2 calls: the router passed it over`,
      ),
    );
    out.line(yellow('the primary recovers'));
    primarySim.setFaults([]);
    await sleep(cooldownMs + 50);
    await call();
    await call();
    const s = router.stats();
    out.line(
      `router: ${s.requests} calls, ${s.successes} answered, ${s.failures} failed, ${s.fallbacks} fallbacks, ${s.cooldowns.local} cooldown(s), ${s.recoveries.probe} probe(s) back`,
    );
  } finally {
    await router.close();
    await Promise.all([primarySim.close(), backupSim.close()]);
  }
}
