/**
 * The real Prometheus tools for tests: `promtool check metrics` on an exposition, and a
 * `prometheus` server scraping a local `/metrics` with a temporary config and storage, queried
 * through its HTTP API. Test tooling, never published.
 *
 * When a tool is not installed these throw: a test that needs Prometheus must fail loudly, never
 * skip. `.ci/run` installs Debian's `prometheus` package, which ships both binaries.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server';

/**
 * Finds a tool by its environment override or its Debian path, or throws saying how to get it.
 * @param debianPackage the package that ships it (`prometheus` ships promtool too)
 */
export function requireBinary(
  name: string,
  envVar: string,
  fallback: string,
  debianPackage: string,
): string {
  const bin = process.env[envVar] ?? fallback;
  try {
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `${name} not found (tried \`${bin}\`). This test needs the real tool: install it ` +
        `(\`apt-get install ${debianPackage}\`) or set ${envVar}. \`.ci/run\` installs it.`,
    );
  }
  return bin;
}

export interface PromtoolResult {
  /** The exit code: 0 when the exposition is valid and lint-clean. */
  code: number;
  /** What promtool said (problems, one per line). */
  output: string;
}

/** Runs `promtool check metrics` on an exposition (read from stdin, as the tool documents). */
export function promtoolCheckMetrics(text: string): Promise<PromtoolResult> {
  const bin = requireBinary('promtool', 'PROMTOOL_BIN', '/usr/bin/promtool', 'prometheus');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
    child.stdin.end(text);
  });
}

export interface PrometheusHandle {
  /** `http://127.0.0.1:<port>` of Prometheus's own API. */
  readonly url: string;
  /** Runs an instant PromQL query; resolves to the result vector (or matrix/scalar) as returned. */
  query(
    promql: string,
  ): Promise<Array<{ metric: Record<string, string>; value?: [number, string] }>>;
  /** Stops the server (SIGTERM, waits for exit) and deletes its files. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts `prometheus` scraping `target` (`127.0.0.1:<port>`, path `/metrics`) every
 * `scrapeIntervalMs`, with its config and TSDB in a fresh temporary folder and its API on a free
 * loopback port. Resolves once the API answers.
 */
export async function startPrometheus(init: {
  target: string;
  job?: string;
  scrapeIntervalMs?: number;
}): Promise<PrometheusHandle> {
  const bin = requireBinary('prometheus', 'PROMETHEUS_BIN', '/usr/bin/prometheus', 'prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'x-prometheus-'));
  const interval = `${init.scrapeIntervalMs ?? 1000}ms`;
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
    'scrape_configs:',
    `  - job_name: ${init.job ?? 'x-demo'}`,
    '    static_configs:',
    `      - targets: ['${init.target}']`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    bin,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk) => {
    log += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    log += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when the API answers; a process that died says why.
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}:\n${log}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (tries > 200) {
      await stop();
      throw new Error(`prometheus did not become ready:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { result: Array<{ metric: Record<string, string>; value?: [number, string] }> };
      };
      if (body.status !== 'success') throw new Error(`${promql}: ${body.error ?? res.status}`);
      return body.data?.result ?? [];
    },
    stop,
  };
}
