/**
 * What one huge prompt costs: for each input, in a fresh child process (so peak memory is its
 * own), the wall time and peak RSS of an exact `countTokens(text, { model: 'gpt-4o' })` and of
 * `estimateTokens(text, { model: 'gpt-4o', exactLimit: 128_000 })` (what the providers' context
 * check asks for a gpt-4o request), after `loadEncoding` (its own time and memory not counted in
 * the times; RSS is the process's peak, baseline printed first).
 *
 *   pnpm exec tsx bench/huge-prompt.ts
 *   TOKENS_ENTRY=/abs/path/to/dist/index.js pnpm exec tsx bench/huge-prompt.ts   # another build
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const INPUTS: Record<string, () => string> = {
  "'a' × 1e6": () => 'a'.repeat(1e6),
  "'a' × 5e6": () => 'a'.repeat(5e6),
  "'!?😀' × 1.25e6": () => '!?😀'.repeat(1.25e6),
  "'hello world. ' × 4e5": () => 'hello world. '.repeat(4e5),
  "'漢' × 5e6": () => '漢'.repeat(5e6),
};

const [, , kind, what] = process.argv;
if (kind === undefined) {
  const self = fileURLToPath(import.meta.url);
  console.log('input | call | result | ms | peak RSS MB (baseline after load)');
  for (const name of Object.keys(INPUTS)) {
    for (const call of ['count', 'estimate']) {
      const out = execFileSync(process.execPath, [...process.execArgv, self, name, call], {
        encoding: 'utf8',
      });
      console.log(`${name} | ${out.trim()}`);
    }
  }
} else {
  const entry = process.env.TOKENS_ENTRY ?? '../src/index';
  const tokens = await import(entry);
  await tokens.loadEncoding('o200k_base');
  const base = process.resourceUsage().maxRSS / 1024;
  const text = INPUTS[kind]!();
  const start = performance.now();
  let result: string;
  try {
    result =
      what === 'count'
        ? String(tokens.countTokens(text, { model: 'gpt-4o' }))
        : (({ tokens: n, method }) => `${n} ${method}`)(
            tokens.estimateTokens(text, { model: 'gpt-4o', exactLimit: 128_000 }),
          );
  } catch (error) {
    result = `${(error as Error).name}: ${(error as Error).message.slice(0, 60)}`;
  }
  const ms = performance.now() - start;
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(
    `${what} | ${result} | ${Math.round(ms)} | ${Math.round(peak)} (${Math.round(base)})`,
  );
}
