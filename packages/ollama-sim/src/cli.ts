#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { closestKey } from '@x/internal';
import type { FaultPlan, FaultRule } from './faults';
import { loadFixture } from './fixtures';
import { defaultModels, type SimModel } from './models';
import { DEFAULT_OLLAMA_VERSION } from './options';
import { startOllamaSim } from './sim';

const HELP = `Usage: ollama-sim [options]
       npx -p @x/ollama-sim ollama-sim [options]   (without installing it)

An Ollama-compatible server for tests, demos and load tests. It prints
"ollama-sim listening on <url>" once it accepts connections.

Options:
  --port <n>                 port to listen on (default 11434; 0 picks a free one)
  --host <addr>              interface (default 127.0.0.1)
  --models <list|file.json>  comma-separated names (built-in presets or new llama-style models),
                             or a JSON file with an array of model objects
  --tokens-per-second <n>    generation speed; 0 = no delay (default 0)
  --prompt-tokens-per-second <n>  prompt evaluation speed; 0 = no delay (default 0)
  --load-time <ms>           model load time (default 0)
  --transfer-bytes-per-second <n>  pull, push and quantize speed; 0 = no delay (default 0)
  --num-parallel <n>         parallel slots per model (default 1)
  --max-queue <n>            requests waiting for a model load before 503 (default 512)
  --num-ctx <n>              server default context window (default 4096)
  --seed <n>                 seed of generated text and fault draws (default 0)
  --faults <file.json>       fault rules: an array of rules or { "rules": [...], "seed": n }
  --quota <spec>             per-API-key quota on /v1/*, e.g. requests=60,tokens=40000,windowMs=60000
                             (at least one of requests and tokens; windowMs defaults to 60000)
  --fixture <file.json>      replay this recorded exchange (repeatable)
  --no-cloud                 answer as Ollama with OLLAMA_NO_CLOUD=1 (403 for :cloud models)
  --quiet                    do not log requests
  -v, --version              print this package's version and the Ollama version it reports
  -h, --help                 show this help
`;

/** Library option names as the CLI flags that set them, for validation messages. */
const FLAGS: Readonly<Record<string, string>> = {
  port: '--port',
  host: '--host',
  models: '--models',
  tokensPerSecond: '--tokens-per-second',
  promptTokensPerSecond: '--prompt-tokens-per-second',
  loadTimeMs: '--load-time',
  transferBytesPerSecond: '--transfer-bytes-per-second',
  numParallel: '--num-parallel',
  maxQueue: '--max-queue',
  defaultNumCtx: '--num-ctx',
  seed: '--seed',
  faults: '--faults',
  fixtures: '--fixture',
  quota: '--quota',
};

/**
 * A library message with its option paths as the flags (and the places in their JSON files) the
 * user wrote: `quota.requests` -> `--quota requests`, `faults[0].route` -> `--faults [0].route`.
 * Only the paths an argument error names (after `Expected`, `Unknown option`, `did you mean`):
 * a listed known key such as `seed` is not the `--seed` flag.
 */
function asFlags(message: string): string {
  return message.replace(
    /(Expected |Unknown option |did you mean )`([A-Za-z]+)((?:\.[\w$]+|\[\d+\])*)`/g,
    (match, lead: string, name: string, path: string) => {
      if (!Object.hasOwn(FLAGS, name)) return match;
      const flag = FLAGS[name];
      const inside = path.startsWith('.') ? path.slice(1) : path;
      return `${lead}\`${flag}${inside === '' ? '' : ` ${inside}`}\``;
    },
  );
}

/** A mistake in the command line: said on stderr with a pointer to --help, exit status 2. */
function usageError(message: string): never {
  process.stderr.write(`ollama-sim: ${message}\nRun 'ollama-sim --help' for the options.\n`);
  process.exit(2);
}

/** Reads and parses the JSON file given to `flag`, naming the flag and file when that fails. */
function readJson(path: string, flag: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return usageError(`${flag} ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function models(arg: string | undefined): SimModel[] | undefined {
  if (arg === undefined) return undefined;
  if (arg.endsWith('.json')) return readJson(arg, '--models') as SimModel[];
  return arg
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '')
    .map((name) => {
      const full = name.includes(':') ? name : `${name}:latest`;
      return defaultModels.find((m) => m.name === full || m.name === name) ?? { name };
    });
}

/** `requests=60,tokens=40000,windowMs=60000` as the `quota` option (validated by the library). */
function quota(arg: string | undefined): Record<string, number> | undefined {
  if (arg === undefined) return undefined;
  const out: Record<string, number> = Object.create(null);
  for (const part of arg.split(',')) {
    const [key = '', value, ...rest] = part.split('=').map((x) => x.trim());
    const n = Number(value);
    if (key === '' || value === undefined || value === '' || rest.length > 0 || !Number.isFinite(n))
      usageError(
        `--quota expects key=number pairs such as requests=60,tokens=40000,windowMs=60000, got ${JSON.stringify(arg)}`,
      );
    out[key] = n;
  }
  return { ...out };
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    usageError(`--${flag} expects a number, got ${JSON.stringify(value)}`);
  }
  return n;
}

function parse() {
  try {
    return parseCommandLine();
  } catch (error) {
    // node:util's parseArgs: unknown option, missing value, positional argument.
    const message = error instanceof Error ? error.message : String(error);
    return usageError(`${message}${flagHint(error)}`);
  }
}

/** For a mistyped flag, the closest known one (`--prot` -> `--port`), as option objects get. */
function flagHint(error: unknown): string {
  if ((error as { code?: unknown })?.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return '';
  const flag = /'(-{1,2}[^'=]+)/.exec((error as Error).message)?.[1];
  if (flag === undefined) return '';
  const near = closestKey(flag.replace(/^-+/, ''), Object.keys(CLI_OPTIONS));
  return near === undefined ? '' : `; did you mean '--${near}'?`;
}

const CLI_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  models: { type: 'string' },
  'tokens-per-second': { type: 'string' },
  'prompt-tokens-per-second': { type: 'string' },
  'load-time': { type: 'string' },
  'transfer-bytes-per-second': { type: 'string' },
  'num-parallel': { type: 'string' },
  'max-queue': { type: 'string' },
  'num-ctx': { type: 'string' },
  seed: { type: 'string' },
  faults: { type: 'string' },
  quota: { type: 'string' },
  fixture: { type: 'string', multiple: true },
  'no-cloud': { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

function parseCommandLine() {
  return parseArgs({
    options: CLI_OPTIONS,
    strict: true,
  });
}

async function main(): Promise<void> {
  const { values } = parse();
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values.version) {
    // package.json sits one folder up from both src/cli.ts and dist/cli.js.
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    process.stdout.write(
      `ollama-sim ${pkg.version} (answers as Ollama ${DEFAULT_OLLAMA_VERSION})\n`,
    );
    return;
  }
  const faults = values.faults
    ? (readJson(values.faults, '--faults') as FaultPlan | FaultRule[])
    : undefined;
  const options = {
    port: num(values.port, 'port') ?? 11434,
    host: values.host,
    models: models(values.models),
    tokensPerSecond: num(values['tokens-per-second'], 'tokens-per-second'),
    promptTokensPerSecond: num(values['prompt-tokens-per-second'], 'prompt-tokens-per-second'),
    loadTimeMs: num(values['load-time'], 'load-time'),
    transferBytesPerSecond: num(values['transfer-bytes-per-second'], 'transfer-bytes-per-second'),
    numParallel: num(values['num-parallel'], 'num-parallel'),
    maxQueue: num(values['max-queue'], 'max-queue'),
    defaultNumCtx: num(values['num-ctx'], 'num-ctx'),
    seed: num(values.seed, 'seed'),
    faults,
    quota: quota(values.quota),
    cloudDisabled: values['no-cloud'],
    fixtures: (values.fixture ?? []).map((f) => {
      try {
        return loadFixture(f);
      } catch (error) {
        return usageError(`--fixture ${f}: ${error instanceof Error ? error.message : error}`);
      }
    }),
  };
  let sim: Awaited<ReturnType<typeof startOllamaSim>>;
  try {
    sim = await startOllamaSim(options);
  } catch (error) {
    // Invalid values are the caller's mistake: name the flag, not the library option.
    if (error instanceof TypeError || error instanceof RangeError)
      usageError(asFlags(error.message));
    throw error;
  }
  // A reader that goes away (`ollama-sim | head -1`, a harness that stops reading after the URL)
  // must not bring the server down with an EPIPE: logging stops, serving goes on.
  let stopLogging = () => {};
  process.stdout.on('error', () => stopLogging());
  if (!values.quiet) {
    stopLogging = sim.onRequest((e) => {
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
