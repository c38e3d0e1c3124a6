import { type Profile, profiles } from './profiles';

export interface FaultMix {
  /** Fraction of requests answered with an HTTP 503 before the body, in [0, 1]. */
  errorRate: number;
  /** Fraction of streamed answers cut by an `{"error"}` line mid-stream, in [0, 1]. */
  streamErrorRate: number;
  /** Latency added to every request by the server, ms. */
  latencyMs: number;
  /** Extra latency added at random (uniform 0..jitterMs), ms. */
  jitterMs: number;
}

export const noFaults: FaultMix = { errorRate: 0, streamErrorRate: 0, latencyMs: 0, jitterMs: 0 };

export interface CliOptions {
  profile: Profile;
  only: string[];
  skip: string[];
  outDir?: string;
  /** Re-render report.md from a saved run instead of measuring. */
  from?: string;
  write: boolean;
  /** After the run, replace the committed report and the README tables with it. */
  publish: boolean;
  list: boolean;
  help: boolean;
  /** Overrides for the load scenarios (steady load and the ones that take them). */
  concurrency?: number;
  requests?: number;
  durationMs?: number;
  faults?: FaultMix;
  seed: number;
  /** Every suite in this process, one after the other, instead of a process per suite. */
  inProcess: boolean;
  /**
   * Runs of the suites, one after another, each group kept from the run where its first targeted
   * ratio is the median (`median-run.ts`): 3 for a published run, else 1.
   */
  runs: number;
  /** Internal: run the one selected suite here and write its report to this file (see fork.ts). */
  childResult?: string;
}

export const usage = `Usage: pnpm bench [--quick | --smoke] [options]
       (inside apps/bench: pnpm bench -- [options], or tsx src/main.ts [options])

Profiles
  (default)             full profile: 9 samples per case, load scenarios at full size
  --quick               the same cases, 3 short samples each; scaled-down scenarios
  --smoke               the smallest run that exercises every suite (used by the tests)

Selection
  --only <a,b>          run only these suites/scenarios (names or kinds: micro, load)
  --skip <a,b>          leave these out
  --list                print the suite and scenario names and exit

Load scenarios (each flag overrides the profile where the scenario has that knob)
  --concurrency <n>     concurrent clients: steady, outage, cache-hits, rate-compliance
  --requests <n>        request count: steady, cache-hits, reuse
  --duration <ms>       run for a duration: steady (instead of a count), outage, stress (per step)
  --faults <spec>       fault mix injected by the simulator: steady (default error=0.01,latency=2,jitter=10),
                        stress, cache-hits; e.g. error=0.05,latency=20,jitter=10,stream-error=0.02
  --seed <n>            seed of the fault draws and prompt choice (default 42)

Micro-benchmarks
  --samples <n>         samples per case (median published, spread = half range / median)
  --time <ms>           tinybench time budget per case per sample
  --in-process          run every suite in this process, one after the other (to attach a
                        profiler or a debugger); by default each suite runs in a process of its
                        own, so no suite is measured with the JIT feedback another one left
  --runs <n>            run the suites n times, one round after another, and keep each group as
                        measured in the round where its first targeted ratio is the median
                        (default 1; 3 with --publish)

Output
  --out <dir>           where run.json, report.md and the SVG charts go
                        (default: apps/bench/runs/<timestamp>/, untracked: a run leaves git status clean)
  --publish             then copy the run to bench-results/ and regenerate the README tables
                        (what \`pnpm bench:publish\` does; the only way the committed report changes)
  --no-write            print the table only
  --from <run.json>     re-render report.md from a saved run (no measuring; charts are kept)
  --help                this text
`;

function positiveInt(flag: string, raw: string | undefined, min = 1): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min) {
    throw new RangeError(`Expected \`${flag}\` to be an integer >= ${min}, got \`${raw}\``);
  }
  return n;
}

export function parseFaults(spec: string): FaultMix {
  const mix: FaultMix = { ...noFaults };
  for (const part of spec.split(',').filter(Boolean)) {
    const [key, value] = part.split('=');
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < 0) {
      throw new RangeError(`Expected \`--faults\` entry \`${part}\` to be key=<number >= 0>`);
    }
    switch (key) {
      case 'error':
        if (n > 1) throw new RangeError(`Expected \`error\` in [0, 1], got \`${n}\``);
        mix.errorRate = n;
        break;
      case 'stream-error':
        if (n > 1) throw new RangeError(`Expected \`stream-error\` in [0, 1], got \`${n}\``);
        mix.streamErrorRate = n;
        break;
      case 'latency':
        mix.latencyMs = n;
        break;
      case 'jitter':
        mix.jitterMs = n;
        break;
      default:
        throw new RangeError(
          `Unknown fault \`${key}\` in \`--faults\`: expected error, stream-error, latency or jitter`,
        );
    }
  }
  return mix;
}

/** Parses argv (without node and script). Throws a RangeError with a clear message on misuse. */
export function parseArgs(argv: readonly string[]): CliOptions {
  let profile: Profile = profiles.full;
  const opts: CliOptions = {
    profile,
    only: [],
    skip: [],
    write: true,
    publish: false,
    list: false,
    help: false,
    seed: 42,
    inProcess: false,
    runs: 1,
  };
  let runs: number | undefined;
  let samples: number | undefined;
  let sampleMs: number | undefined;
  const args = [...argv];
  while (args.length > 0) {
    const raw = args.shift()!;
    if (raw === '--') continue;
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const inline = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = () => inline ?? args.shift();
    const required = (what: string): string => {
      const given = value();
      if (!given) throw new RangeError(`Expected \`${flag}\` to be followed by ${what}`);
      return given;
    };
    switch (flag) {
      case '--quick':
        profile = profiles.quick;
        break;
      case '--smoke':
        profile = profiles.smoke;
        break;
      case '--full':
        profile = profiles.full;
        break;
      case '--only':
        opts.only.push(...(value() ?? '').split(',').filter(Boolean));
        break;
      case '--skip':
        opts.skip.push(...(value() ?? '').split(',').filter(Boolean));
        break;
      case '--out':
        opts.outDir = required('a folder');
        break;
      case '--from':
        opts.from = required('a results file');
        break;
      case '--no-write':
        opts.write = false;
        break;
      case '--publish':
        opts.publish = true;
        break;
      case '--list':
        opts.list = true;
        break;
      case '--help':
      case '-h':
        opts.help = true;
        break;
      case '--concurrency':
        opts.concurrency = positiveInt('--concurrency', value());
        break;
      case '--requests':
        opts.requests = positiveInt('--requests', value());
        break;
      case '--duration':
        opts.durationMs = positiveInt('--duration', value());
        break;
      case '--faults':
        opts.faults = parseFaults(value() ?? '');
        break;
      case '--seed':
        opts.seed = positiveInt('--seed', value(), 0);
        break;
      case '--samples':
        samples = positiveInt('--samples', value());
        break;
      case '--time':
        sampleMs = positiveInt('--time', value());
        break;
      case '--in-process':
        opts.inProcess = true;
        break;
      case '--runs':
        runs = positiveInt('--runs', value());
        break;
      case '--child-result':
        opts.childResult = required('a file');
        break;
      default:
        throw new RangeError(`Unknown option \`${raw}\`\n\n${usage}`);
    }
  }
  if (opts.publish && !opts.write) {
    throw new RangeError('`--publish` needs the run written: drop `--no-write`');
  }
  if (opts.publish && (opts.only.length > 0 || opts.skip.length > 0)) {
    throw new RangeError(
      '`--publish` replaces the whole committed report: run every suite (no `--only`/`--skip`)',
    );
  }
  if (opts.publish && profile.name === 'smoke') {
    throw new RangeError('`--publish` of a `--smoke` run: its figures mean nothing');
  }
  // One run of this machine moves some rows by more than their targets' margins: a published
  // figure is the median of three.
  opts.runs = runs ?? (opts.publish ? 3 : 1);
  opts.profile = {
    ...profile,
    ...(samples ? { samples } : {}),
    ...(sampleMs ? { sampleMs } : {}),
  };
  return opts;
}
