/**
 * What a piece of the pipeline costs, or a build against another: each subject (the default
 * provider, each variant, the baseline build) measured in a process of its own, beside raw undici
 * making the same call, @x/ollama-sim in a child process. Run from packages/provider-ollama, built:
 *
 *   node --import tsx profile/variants.ts --variants='{"tokens-off":{"tokens":false}}'
 *   node --import tsx profile/variants.ts --baseline=/tmp/base --whole --runs=4
 *   node --import tsx profile/variants.ts --variants='{"lean":{"retry":false}}' --c=16
 *
 * `--whole`: `completeAs: 'whole'` against the raw `stream: false` request (else the default
 * streamed answer against raw undici reading the same NDJSON); `--c`: concurrent callers (1);
 * `--runs`: processes per subject, taken in turn (3); `--rounds`, `--calls`: rounds of calls per
 * process (100 of 400).
 *
 * Why a process each: variants in one process share the provider's compiled code, and what one
 * variant's objects look like slows the code the other runs (all five stages off read 3 µs
 * slower than the default there, 9 µs faster in a process of its own). Two builds do not share
 * code (`overhead.ts --baseline` compares them in one process), but a process each reads them
 * under the same conditions as the variants.
 *
 * Figure per subject: the median over rounds of its client CPU per call minus raw undici's in the
 * same round (the two alternate, the order swapped every round), so a slow phase of the machine
 * weighs on both sides of each difference; then the median over its processes. One process reads
 * within 2 to 3 µs of another at c=1.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliArg, medianOf, rotatedRounds } from '@x/internal/testing';
import { createOllamaProvider, type OllamaProviderOptions } from '@x/provider-ollama';
import { Pool } from 'undici';
import {
  byCallers,
  loadBaseline,
  MODEL,
  measuredOptions,
  messages,
  rawStreamedChat,
  rawWholeChat,
  startSimChild,
} from './setup';

const WHOLE = process.argv.includes('--whole');
const C = Number(cliArg('c', '1'));
const RUNS = Number(cliArg('runs', '3'));
const ROUNDS = Number(cliArg('rounds', '100'));
const CALLS = Number(cliArg('calls', '400'));
const baseline = cliArg('baseline', '');
const variants: Record<string, OllamaProviderOptions> = JSON.parse(cliArg('variants', '{}'));
const child = cliArg('child', '');

/** One subject in this process: its client CPU per call over raw undici's, µs. */
async function measure(subject: string): Promise<{ overhead: number; ours: number; raw: number }> {
  const sim = await startSimChild();
  const create = subject === 'baseline' ? await loadBaseline(baseline) : createOllamaProvider;
  const provider = create({ ...measuredOptions(sim.url, WHOLE), ...(variants[subject] ?? {}) });
  await provider.initialize();
  const pool = new Pool(sim.url, { connections: 16 });
  const ours = () => provider.complete({ model: MODEL, messages });
  const raw = WHOLE ? rawWholeChat(pool) : rawStreamedChat(pool);
  // The provider's path settles over the first few thousand calls (see apps/bench). Sixteen
  // callers first: both clients then hold the sockets a busy process holds, as in apps/bench,
  // where the c=16 groups run before the c=1 ones of the next setup.
  for (const c of [16, C]) {
    await byCallers(ours, c, 4000);
    await byCallers(raw, c, 4000);
  }
  const figures = await rotatedRounds(
    {
      ours: { fn: () => byCallers(ours, C, CALLS), async: true },
      raw: { fn: () => byCallers(raw, C, CALLS), async: true },
    },
    ROUNDS,
    1,
  );
  await provider.close();
  await pool.close();
  sim.close();
  const perCall = (ns: number) => ns / 1000 / CALLS;
  const oursCpu = figures.get('ours')!.cpu;
  const rawCpu = figures.get('raw')!.cpu;
  return {
    overhead: perCall(medianOf(oursCpu.map((cpu, i) => cpu - rawCpu[i]!))),
    ours: perCall(medianOf(oursCpu)),
    raw: perCall(medianOf(rawCpu)),
  };
}

/** Runs this script again for one subject and reads its figures. */
function inChild(subject: string): Promise<{ overhead: number; ours: number; raw: number }> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--child='));
  const proc = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...args, `--child=${subject}`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) reject(new Error(`${subject}: the measuring process exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

if (child !== '') {
  console.log(JSON.stringify(await measure(child)));
} else {
  const subjects = ['default', ...Object.keys(variants), ...(baseline === '' ? [] : ['baseline'])];
  const runs = new Map(subjects.map((s) => [s, [] as number[]]));
  for (let run = 0; run < RUNS; run++) {
    for (let i = 0; i < subjects.length; i++) {
      const subject = subjects[(i + run) % subjects.length]!;
      const f = await inChild(subject);
      runs.get(subject)!.push(f.overhead);
      console.log(
        `run ${run + 1}, ${subject}: ${f.overhead.toFixed(1)} µs over raw undici (ours ${f.ours.toFixed(1)}, raw ${f.raw.toFixed(1)} µs CPU per call)`,
      );
    }
  }
  const how = `${WHOLE ? "completeAs: 'whole'" : 'streamed'}, c=${C}`;
  console.log(`\nclient CPU per call over raw undici (${how}), median of ${RUNS} processes:`);
  const reference = medianOf(runs.get('default')!);
  for (const [subject, values] of runs) {
    const median = medianOf(values);
    const delta =
      subject === 'default' ? '' : ` (${(median - reference).toFixed(1)} µs against default)`;
    console.log(`  ${subject.padEnd(16)} ${median.toFixed(1)} µs${delta}`);
  }
}
