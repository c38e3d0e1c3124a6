/**
 * The pipeline alone, without a network: `complete()` over a transport that answers at once with a
 * recorded streamed answer (16 content lines and the final one), in one process. Client CPU per
 * call of the default pipeline and of variants with one piece switched off, so the cost of each
 * piece shows without the noise of sockets and a server. Run from packages/provider-ollama, built:
 *
 *   node --import tsx profile/pipeline.ts
 *   node --import tsx profile/pipeline.ts --whole --only=default,transport
 *   node --import tsx profile/pipeline.ts --whole --only=default --baseline=/tmp/base --rounds=200
 *
 * `--whole`: `completeAs: 'whole'` over one JSON answer (`stream: false`); `--only`: the variants
 * to time (their names' first word); `--baseline=<folder>`: the default pipeline of the build
 * saved there by `profile/save-build.ts` as one more subject, `baseline`, for a before/after
 * comparison in one process. The subjects take turns within each round, in an order rotated from
 * round to round (`rotatedRounds` of `@x/internal/testing`); over 200 rounds two builds of the
 * same code read within ~0.2 µs of each other, where two separate runs of one build differ by a
 * microsecond or more.
 *
 * A custom transport gets a real AbortSignal per attempt (the pool and the Agent get a lighter
 * one), so the figures are a little above what the built-in transports cost.
 *
 * The variants share one process, warm and without sockets: a view of each piece's own work. What
 * a piece costs a busy process answering over sockets, where a call runs with colder caches, is
 * measured by `profile/variants.ts`, each variant in a process of its own.
 */
import { Readable } from 'node:stream';
import { cliArg, medianOf, type ProfileSubject, rotatedRounds } from '@x/internal/testing';
import { createOllamaProvider, type OllamaProviderOptions } from '@x/provider-ollama';
import { loadBaseline, MODEL, measuredOptions, messages } from './setup';

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ model: MODEL, created_at: '2026-12-03T04:05:34.553936324Z', ...fields });
/** The final line's fields: the counts and durations Ollama ends an answer with. */
const ending = {
  done: true,
  done_reason: 'stop',
  total_duration: 21842537,
  load_duration: 20760761,
  prompt_eval_count: 16,
  prompt_eval_duration: 16000,
  eval_count: 16,
  eval_duration: 1065776,
};
const answer = Buffer.from(
  `${[
    ...Array.from({ length: 16 }, () =>
      line({ message: { role: 'assistant', content: ' word' }, done: false }),
    ),
    line({ message: { role: 'assistant', content: '' }, ...ending }),
  ].join('\n')}\n`,
);
const WHOLE = process.argv.includes('--whole');
// The same answer as one document (`stream: false`).
const document = Buffer.from(
  line({ message: { role: 'assistant', content: ' word'.repeat(16) }, ...ending }),
);
const transport = async () => ({
  statusCode: 200,
  headers: { 'content-type': WHOLE ? 'application/json' : 'application/x-ndjson' },
  body: Readable.from([WHOLE ? document : answer]),
});

const bare = {
  telemetry: false,
  tokens: false,
  rateLimit: false,
  breaker: false,
  retry: false,
} as const;
const variants: Record<string, OllamaProviderOptions> = {
  default: {},
  'telemetry: false': { telemetry: false },
  'tokens: false': { tokens: false },
  'rateLimit: false': { rateLimit: false },
  'breaker: false': { breaker: false },
  'retry: false': { retry: false },
  'all five off': bare,
  'all five off, timeouts: false': { ...bare, timeouts: false },
};
const only = cliArg('only', '')
  .split(',')
  .filter((word) => word !== '');
const wanted = (name: string) => only.length === 0 || only.includes(name.split(/[ :,]/)[0]!);
// No socket: the transport answers in memory.
const common: OllamaProviderOptions = {
  ...measuredOptions('http://127.0.0.1:9', WHOLE),
  pool: false,
  transport,
};
const subjects: Record<string, () => Promise<unknown>> = {};
for (const [name, options] of Object.entries(variants)) {
  if (!wanted(name)) continue;
  const provider = createOllamaProvider({ ...common, ...options });
  subjects[name] = () => provider.complete({ model: MODEL, messages });
}
const baseline = cliArg('baseline', '');
if (baseline !== '') {
  const provider = (await loadBaseline(baseline))(common);
  subjects.baseline = () => provider.complete({ model: MODEL, messages });
}
if (wanted('the transport alone')) {
  subjects['the transport alone'] = async () => {
    for await (const _ of (await transport()).body);
  };
}

const ROUNDS = Number(cliArg('rounds', '41'));
const CALLS = 500;
// The first rounds warm the JIT up; the shared loop then warms each subject once more.
const WARM_ROUNDS = 3;
const asked: Record<string, ProfileSubject> = {};
for (const [name, fn] of Object.entries(subjects)) asked[name] = { fn, async: true };
const figures = await rotatedRounds(asked, ROUNDS, CALLS);
for (const [name, { cpu }] of figures) {
  const perCall = medianOf(cpu.slice(WARM_ROUNDS)) / 1000;
  console.log(`${name.padEnd(32)} ${perCall.toFixed(1)} µs CPU per call`);
}
