#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { FaultPlan, FaultRule } from './faults';
import { loadFixture } from './fixtures';
import { defaultModels, type SimModel } from './models';
import { startOllamaSim } from './sim';

const HELP = `Usage: ollama-sim [options]

An Ollama-compatible server for tests, demos and load tests.

Options:
  --port <n>                 port to listen on (default 11434; 0 picks a free one)
  --host <addr>              interface (default 127.0.0.1)
  --models <list|file.json>  comma-separated names (built-in presets or new llama-style models),
                             or a JSON file with an array of model objects
  --tokens-per-second <n>    generation speed; 0 = no delay (default 0)
  --prompt-tokens-per-second <n>  prompt evaluation speed; 0 = no delay (default 0)
  --load-time <ms>           model load time (default 0)
  --num-parallel <n>         parallel slots per model (default 1)
  --max-queue <n>            pending requests before 503 (default 512)
  --num-ctx <n>              server default context window (default 4096)
  --seed <n>                 seed of generated text and fault draws (default 0)
  --faults <file.json>       fault rules: an array of rules or { "rules": [...], "seed": n }
  --fixture <file.json>      replay this recorded exchange (repeatable)
  --quiet                    do not log requests
  -h, --help                 show this help
`;

function models(arg: string | undefined): SimModel[] | undefined {
  if (arg === undefined) return undefined;
  if (arg.endsWith('.json')) return JSON.parse(readFileSync(arg, 'utf8')) as SimModel[];
  return arg
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
    .map((name) => {
      const full = name.includes(':') ? name : `${name}:latest`;
      return defaultModels.find((m) => m.name === full || m.name === name) ?? { name };
    });
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) {
    process.stderr.write(`ollama-sim: --${flag} expects a number, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      models: { type: 'string' },
      'tokens-per-second': { type: 'string' },
      'prompt-tokens-per-second': { type: 'string' },
      'load-time': { type: 'string' },
      'num-parallel': { type: 'string' },
      'max-queue': { type: 'string' },
      'num-ctx': { type: 'string' },
      seed: { type: 'string' },
      faults: { type: 'string' },
      fixture: { type: 'string', multiple: true },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const faults = values.faults
    ? (JSON.parse(readFileSync(values.faults, 'utf8')) as FaultPlan | FaultRule[])
    : undefined;
  const sim = await startOllamaSim({
    port: num(values.port, 'port') ?? 11434,
    host: values.host,
    models: models(values.models),
    tokensPerSecond: num(values['tokens-per-second'], 'tokens-per-second'),
    promptTokensPerSecond: num(values['prompt-tokens-per-second'], 'prompt-tokens-per-second'),
    loadTimeMs: num(values['load-time'], 'load-time'),
    numParallel: num(values['num-parallel'], 'num-parallel'),
    maxQueue: num(values['max-queue'], 'max-queue'),
    defaultNumCtx: num(values['num-ctx'], 'num-ctx'),
    seed: num(values.seed, 'seed'),
    faults,
    fixtures: (values.fixture ?? []).map((f) => loadFixture(f)),
  });
  if (!values.quiet) {
    sim.onRequest((e) => {
      const faultsText = e.faults.length > 0 ? ` faults=${e.faults.join('+')}` : '';
      process.stdout.write(
        `${new Date(e.time).toISOString()} ${e.method} ${e.path} ${e.status} ${e.outcome} ${e.durationMs.toFixed(1)}ms${faultsText}\n`,
      );
    });
  }
  const shutdown = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  // Printed last: whoever waits for this line may signal the process right away.
  process.stdout.write(`ollama-sim listening on ${sim.url} (OLLAMA_HOST=${sim.url})\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`ollama-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
