import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startOllamaSim } from '@x/ollama-sim';
import { describe, expect, it, vi } from 'vitest';

const run = promisify(execFile);
const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('pnpm demo', () => {
  it('walks through every step against the embedded simulator when OLLAMA_HOST is unset', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.OLLAMA_HOST;
    delete env.OPENAI_API_KEY;
    delete env.OPENAI_BASE_URL;
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(appDir, 'src/main.ts')],
      { cwd: appDir, env, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stderr).toBe('');
    expect(stdout).toContain('running against the embedded @x/ollama-sim');
    expect(stdout).not.toContain('this step failed');
    expect(stdout).toMatch(/done: \d+ steps in/);

    // cache: miss, hit, expiry with the hit rate
    expect(stdout).toMatch(/1st call \(miss, stored\)\s+MISS/);
    expect(stdout).toMatch(/2nd call \(hit\)\s+HIT .*hit rate 50%/);
    expect(stdout).toMatch(/\(expired\)\s+MISS .*hit rate 33%, expired 1/);
    expect(stdout).toContain('reason time-sensitive');
    // rate limiter: 8 requests from a refilled bucket, the burst at once, the rest paced
    expect(stdout.match(/request #\d+\s+done at/g)).toHaveLength(8);
    expect(stdout).toContain('The first 2 leave at once');
    const burst = /(\d+) left at once, (\d+) requests waited for the limiter \(its stats\)/.exec(
      stdout,
    );
    expect(burst?.[1]).toBe('2');
    expect(Number(burst?.[1]) + Number(burst?.[2])).toBe(8);
    // counted as the limiter counts: no other step queues at it, so the run's figure is step 2's
    expect(/limiter: \d+ admitted, (\d+) waited, 0 queued/.exec(stdout)?.[1]).toBe(burst?.[2]);
    // breaker: the 3rd failure from the server opens it (printed after that call), then it
    // rejects without the server, probes, closes
    expect(stdout).toMatch(
      /\n {2}call {2}4 {2}× .*OllamaApiError \[X_PROVIDER_OLLAMA_API\].*\n {4}⇒ breaker closed → open \(failure-threshold\)/,
    );
    expect(stdout).toContain('the server received 3 of these 3 calls; the breaker is now open');
    expect(stdout).toMatch(/\n {2}call {2}5 {2}× .*CircuitOpenError/);
    expect(stdout).toMatch(
      /\n {2}call {2}9 {2}ok .*\n {4}⇒ breaker open → half-open \(open-timeout\)/,
    );
    expect(stdout).toMatch(
      /\n {2}call 10 {2}ok .*\n {4}⇒ breaker half-open → closed \(probe-success\)/,
    );
    expect(stdout).toContain('[X_PROVIDER_OLLAMA_CIRCUIT_OPEN]');
    expect(stdout).toContain('the server saw 0 of the last 3 calls');
    expect(stdout).toMatch(/breaker: state closed/);
    // router: falls back to the backup, takes the primary out, probes it back
    expect(stdout).toMatch(
      /call 2\s+served by backup .*\(primary failed: X_PROVIDER_OLLAMA_SERVER_BUSY\)/,
    );
    // each ⇒ line follows the call that caused it: the 2nd failure in a row, then the probe
    expect(stdout).toMatch(
      /\n {2}call 3 {2}served by backup .*\n {4}⇒ primary taken out for 1\.00 s \(failures\)/,
    );
    expect(stdout).toContain('the primary saw 0 of the last 2 calls: the router passed it over');
    expect(stdout).toMatch(
      /\n {2}call 6 {2}served by primary .*\n {4}⇒ primary back in rotation \(probe\)/,
    );
    expect(stdout).toMatch(
      /router: 7 calls, 7 answered, 0 failed, 2 fallbacks, 1 cooldown\(s\), 1 probe\(s\) back/,
    );
    // context overflow: typed error, nothing sent; sent anyway, cut silently (flagged), or
    // refused by the server with truncate: false
    expect(stdout).toContain('[X_PROVIDER_OLLAMA_CONTEXT_OVERFLOW]');
    expect(stdout).toContain('requests the server received for it: 0');
    expect(stdout).toMatch(
      /sent, Ollama's default \(truncate: true\): answered, but it read only 1026 tokens of the prompt → truncated: true/,
    );
    expect(stdout).toContain(
      'sent with truncate: false: refused by the server → ContextOverflowError [X_PROVIDER_OLLAMA_CONTEXT_OVERFLOW], source: server',
    );
    expect(stdout).toMatch(
      /the server said: request \(\d+ tokens\) exceeds the available context size \(2048 tokens\)/,
    );
    // streaming: chunks, then tokens per second from the server's counters
    expect(stdout).toMatch(/\d+ chunks · first token after .+ · [\d.]+ tokens\/s/);
    // tokens and cost for several providers, exact for OpenAI
    for (const p of ['openai', 'anthropic', 'gemini', 'mistral', 'ollama'])
      expect(stdout).toContain(p);
    expect(stdout).toMatch(/gpt-4o\s+openai\s+\d+\s+exact/);
    expect(stdout).toContain('$0 (local)');
    // connection reuse: one socket for every pooled request
    expect(stdout).toMatch(/pool stats: 1 socket\(s\) created for \d+ requests/);
    // health and Prometheus
    expect(stdout).toMatch(/status healthy · reachable true/);
    expect(stdout).toMatch(
      /pool: \d+ socket\(s\) for \d+ requests \(reuse \d+%\) · cache: 1 entry,/,
    );
    expect(stdout).toContain('x_provider_ollama_requests_total');
    expect(stdout).toContain(
      'model="": server metadata calls that name no model (such as initialize()\'s model list): HTTP attempts, no requests',
    );
    // concurrency slots and shared managers: two providers, one set of slots, one breaker
    expect(stdout).toContain('same limiter: true · same breaker: true');
    expect(stdout).toMatch(
      /12 calls at once, half through each provider: at most 2 in flight, up to \d+ waiting in the process, 0 ever queued at the server/,
    );
    expect(stdout).toContain('[X_PROVIDER_OPENAI_CIRCUIT_OPEN]');
    // the shared breaker's refusal says the failure it counted was the Ollama provider's
    expect(stdout).toContain(
      'the circuit breaker it shares is open (breaker shared with the ollama provider, last failure there: Ollama /api/chat',
    );
    expect(stdout).toContain(
      "the breaker ollama opened refused openai's call; the server saw 0 request(s)",
    );
    // a pull with its progress, as plain lines when stdout is not a terminal
    expect(stdout).toContain('before: tinyllama:1.1b is not on the server');
    expect(stdout).toContain('pulling manifest');
    expect(stdout).toMatch(/\[█{24}\] 100% {2}24\.0 MB\/24\.0 MB/);
    expect(stdout).toMatch(/success: \d+ progress events in .+; tinyllama:1\.1b is now listed/);
    expect(stdout).not.toContain('\r');
    // a model created from an uploaded file: pushBlob, hasBlob, create's progress, then deleted
    const blob = /pushBlob\(256 KiB\) → (sha256:[0-9a-f]{12})… in /.exec(stdout)?.[1];
    expect(blob).toBeDefined();
    expect(stdout).toContain(`before: hasBlob(${blob}…) → false`);
    expect(stdout).toContain(`after: hasBlob(${blob}…) → true`);
    expect(stdout).toMatch(
      new RegExp(
        `\\n {2}parsing GGUF\\n {2}using existing layer ${blob}…\\n(?: {2}.+\\n)*? {2}writing manifest\\n`,
      ),
    );
    expect(stdout).toContain('success: demo-from-file:latest is now listed (256 KiB)');
    expect(stdout).toContain(
      "deleteModel('demo-from-file') → gone from the list; hasBlob → false (no model used it any more)",
    );
    // the OpenAI provider against the simulator's /v1: complete, stream, limits learned
    expect(stdout).toMatch(/complete\(\): ".+" · \d+ \+ \d+ tokens/);
    expect(stdout).toMatch(/\d+ chunks over server-sent events/);
    expect(stdout).toMatch(/the server said: \d+ of 4 requests left in this window/);
    expect(stdout).toMatch(
      /10 calls in a loop against a quota of 4 per window: 10 answered in .+, 0 429 answers from the server/,
    );
    // the simulator's /v1, as Ollama's, sends no x-request-id: no requestId to show
    expect(stdout).not.toContain('requestId:');
    // a preset of your own extending 'ollama': its tool call, silent longer than idleMs while the
    // model writes it, still arrives; a preset that does not extend 'ollama' is cut at idleMs
    expect(stdout).toMatch(
      /a preset of your own: \{ name: 'my-ollama', baseUrl: 'http:\/\/127\.0\.0\.1:\d+\/v1', extends: 'ollama' \}, idleMs 200 ms/,
    );
    expect(stdout).toMatch(
      /tool call: qwen3:4b thinks \([1-9]\d* chunks\), then get_current_weather\(\{"city":"Paris"\}\) arrives whole/,
    );
    expect(stdout).toMatch(
      /\n {4}my-ollama \(extends 'ollama'\): +get_current_weather\(\{"city":"Paris"\}\) after .+ of silence: a request with tools waits up to firstTokenMs\n/,
    );
    expect(stdout).toMatch(
      /\n {4}my-gateway \(no extends\): +OpenAITimeoutError \[X_PROVIDER_OPENAI_TIMEOUT\]: Timed out after 200 ms waiting for the next chunk \(timeouts\.idleMs\)\n/,
    );
    // configuration mistakes: refused at construction, each error naming the field and the fix; a
    // string of the right type with a wrong value is a RangeError in both providers
    expect(stdout).toMatch(
      /\n {2}createOllamaProvider\(\{ baseUrl: '(http:\/\/127\.0\.0\.1:\d+)\/api\/chat' \}\)\n {4}→ RangeError: Expected `baseUrl` to be the server's address, without the endpoint each call appends \(`\/api\/chat`\): use "\1"/,
    );
    expect(stdout).toMatch(
      /\n {4}→ RangeError: Expected `baseUrl` to be the API's base URL, without the endpoint each call appends \(`\/chat\/completions`\): use "http:\/\/127\.0\.0\.1:\d+\/v1"/,
    );
    const bearer = /apiKey: 'Bearer demo-key' \}\)\n {4}(→ .*)\n/.exec(stdout)?.[1];
    expect(bearer).toMatch(
      /^→ RangeError: Expected `apiKey` to be the key alone, without "Bearer " in front .*got `\[redacted\]`/,
    );
    expect(bearer).not.toContain('demo-key');
    // TLS against the plain-HTTP simulator: typed, said plainly, not retried, not a breaker failure
    expect(stdout).toMatch(
      /→ OllamaConnectionError \[X_PROVIDER_OLLAMA_CONNECTION\]: Could not reach Ollama at https:\/\/127\.0\.0\.1:\d+ \(ERR_SSL_WRONG_VERSION_NUMBER\): no TLS server answers at this address: is its URL http:\/\/, not https:\/\/\?/,
    );
    expect(stdout).toContain(
      "isProviderErrorOfKind(e, 'connection') from @x/provider-ollama → true · causeCode ERR_SSL_WRONG_VERSION_NUMBER · retryable false · retried 0 time(s) · breaker closed (failures counted: 0)",
    );
    expect(stdout).toContain('requests the server received: 0 (the handshake never became');
    expect(stdout).toMatch(
      /→ OpenAIConnectionError \[X_PROVIDER_OPENAI_CONNECTION\]: Could not reach the server at https:\/\/127\.0\.0\.1:\d+\/v1 \(ERR_SSL_WRONG_VERSION_NUMBER\)/,
    );
    expect(stdout).toContain(
      'isProviderError(e) from @x/router → true · kind connection · retryable false',
    );
    expect(stdout).not.toContain('was not caught');
    expect(stdout).toMatch(/done: 14 steps in/);
  }, 60_000);

  it('uses the server named by OLLAMA_HOST, and its first chat model, when it is set', async () => {
    // a simulator standing in for a real Ollama: the demo must treat it as an external server
    const external = await startOllamaSim();
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', OLLAMA_HOST: external.url };
      delete env.OLLAMA_MODEL;
      delete env.OPENAI_API_KEY;
      delete env.OPENAI_BASE_URL;
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', join(appDir, 'src/main.ts')],
        {
          cwd: appDir,
          env,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      expect(stdout).toContain(
        `running against a real Ollama at ${external.url}, model qwen2.5:7b`,
      );
      expect(stdout).toContain('this step runs against an embedded simulator');
      // the blob is uploaded to it, but no model created from a file that only looks like GGUF
      expect(stdout).toMatch(/after: hasBlob\(sha256:[0-9a-f]{12}…\) → true/);
      expect(stdout).toContain('create() runs against the simulator only');
      expect(stdout).not.toContain('demo-from-file:latest is now listed');
      expect(stdout).toContain('sent with truncate: false: refused by the server');
      // the TLS mistake is made against the server OLLAMA_HOST names
      expect(stdout).toContain(
        `Could not reach Ollama at ${external.url.replace('http:', 'https:')} (ERR_SSL_WRONG_VERSION_NUMBER)`,
      );
      expect(stdout).not.toContain('this step failed');
      expect(stdout).toMatch(/done: 14 steps in/);
      expect(external.stats().byRoute['/api/chat']).toBeGreaterThan(0);
    } finally {
      await external.close();
    }
  }, 60_000);

  it('exits with 1 and says how to fix it when OLLAMA_HOST cannot be reached', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', OLLAMA_HOST: '127.0.0.1:9' };
    const err = await run(process.execPath, ['--import', 'tsx', join(appDir, 'src/main.ts')], {
      cwd: appDir,
      env,
    }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toContain(
      'Cannot reach Ollama at http://127.0.0.1:9',
    );
    expect((err as { stderr: string }).stderr).toContain('unset OLLAMA_HOST');
  }, 30_000);

  it('serves the live dashboard and /metrics with --serve, until SIGTERM (real clock, child process)', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(appDir, 'src/main.ts'), '--serve', '--port', '0'],
      { cwd: appDir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = once(child, 'exit');
    try {
      await vi.waitFor(
        () => expect(stdout).toMatch(/metrics +http:\/\/127\.0\.0\.1:\d+\/metrics/),
        {
          timeout: 20_000,
          interval: 100,
        },
      );
      const url = /page +(http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout)![1]!;
      const page = await fetch(`${url}/`);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<svg id="breaker"');
      await vi.waitFor(
        async () => {
          const metrics = await (await fetch(`${url}/metrics`)).text();
          expect(metrics).toMatch(
            /x_provider_ollama_requests_total\{provider="sim",model="llama3\.2"\} [1-9]/,
          );
        },
        { timeout: 10_000, interval: 200 },
      );
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 30_000);
});
