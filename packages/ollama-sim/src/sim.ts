import { createServer } from 'node:http';
import { createTopics, PackageLog } from '@x/internal';
import { SimClosedError } from './errors';
import type { FaultPlan, FaultRule } from './faults';
import type { Counters, SimContext } from './internal/context';
import { FaultPicker } from './internal/fault-picker';
import { normalizeFaultPlan } from './internal/fault-plan';
import { createHandler } from './internal/handler';
import { isLoopbackBind } from './internal/host-check';
import type { Life } from './internal/life';
import { Listener } from './internal/listener';
import { ModelStore } from './internal/model-store';
import { Quota } from './internal/quota';
import { FixtureMatcher } from './internal/replay';
import { RequestLog } from './internal/request-log';
import { resolveModel } from './internal/resolve-model';
import { Scheduler } from './internal/scheduler';
import { logSimEvents } from './log';
import { type OllamaSimOptions, resolveOptions } from './options';
import type { FaultEvent, OllamaSimStats, RequestLogEntry } from './reports';

export type { FaultEvent, OllamaSimStats, RequestLogEntry } from './reports';

/** A running simulator. */
export interface OllamaSim {
  /** `http://127.0.0.1:<port>`: the base URL to give any Ollama client. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** The last `maxLogEntries` requests, oldest first (a copy). */
  readonly requests: readonly RequestLogEntry[];
  /**
   * Replaces the fault plan; sequence positions and probability draws start over.
   * @throws {TypeError | RangeError} on a malformed plan (an unknown key, fault kind or route names
   * the closest known one), before the current plan is replaced. @throws {SimClosedError} after close().
   */
  setFaults(faults: FaultPlan | readonly FaultRule[]): void;
  stats(): OllamaSimStats;
  /**
   * Stops listening and drops every connection: clients now get ECONNREFUSED. The requests it
   * drops are counted at once (`aborted` in `stats()` and `requests`, `onRequest` called); it
   * resolves once the port is closed, before their clients see them fail.
   */
  stop(): Promise<void>;
  /** Listens again on the same port after `stop()`. @throws {ListenError} @throws {SimClosedError} */
  restart(): Promise<void>;
  /**
   * Called when each request ends. Returns an unsubscribe function. A listener that throws never
   * fails the request: it is reported with `process.emitWarning` (type `XListenerError`).
   */
  onRequest(listener: (entry: RequestLogEntry) => void): () => void;
  /** Called when faults are applied to a request. Returns an unsubscribe function. Same listener-error policy. */
  onFault(listener: (event: FaultEvent) => void): () => void;
  /**
   * Stops the server, ends every connection and timer. Idempotent. The requests it cuts are
   * counted at once, as with `stop()`; it resolves before their clients see them fail.
   */
  close(): Promise<void>;
  /** Calls `close()`: `await using sim = await startOllamaSim()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts an Ollama-compatible HTTP server on `127.0.0.1` (a free port by default).
 *
 * @throws {TypeError | RangeError} on invalid options. @throws {ListenError} when it cannot listen.
 * Rejects with `options.signal.reason` when the signal aborts before it listens.
 * @example
 * ```ts
 * const sim = await startOllamaSim();
 * const res = await fetch(`${sim.url}/api/chat`, {
 *   method: 'POST',
 *   body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: false }),
 * });
 * console.log(await res.json());
 * await sim.close();
 * ```
 */
export async function startOllamaSim(options: OllamaSimOptions = {}): Promise<OllamaSim> {
  const opts = resolveOptions(options);
  const scheduler = new Scheduler(opts.maxQueue);
  const store = new ModelStore(
    opts.models.map((m, i) => resolveModel(m, `models[${i}]`, opts)),
    // Later entries win: a served model shadows the preset of the same name.
    opts.registry.map((m, i) => resolveModel(m, `registry[${i}]`, opts)),
  );
  const counters: Counters = {
    promptTokens: 0,
    evalTokens: 0,
    streams: 0,
    truncatedPrompts: 0,
    embeddings: 0,
  };
  const ctx: SimContext = { opts, store, scheduler, counters };
  // Listeners and the x:ollama-sim:<event> channels; a throwing listener becomes a process warning.
  const topics = createTopics<{ request: RequestLogEntry; fault: FaultEvent }>('ollama-sim', [
    'request',
    'fault',
  ]);
  logSimEvents(new PackageLog('ollama-sim', opts.logger), topics);
  const log = new RequestLog(opts.maxLogEntries, topics.request);
  const lives = new Set<Life>();
  let picker = new FaultPicker(opts.faults);
  const quota = opts.quota === undefined ? undefined : new Quota(opts.quota);
  const fixtures = new FixtureMatcher(opts.fixtures);

  // Ollama sets no idle timeout; pooled sockets stay open until the client closes them.
  const server = createServer({ keepAliveTimeout: 0, requestTimeout: 0 });
  server.keepAliveTimeout = 0;
  const listener = new Listener(server, opts.host, opts.port, lives);
  server.on(
    'request',
    createHandler({
      ctx,
      log,
      faultTopic: topics.fault,
      picker: () => picker,
      fixtures,
      hostCheck: opts.hostCheck && isLoopbackBind(opts.host),
      lives,
      refuse: (ms) => listener.refuse(ms),
      quota,
    }),
  );

  const signal = options.signal;
  signal?.throwIfAborted();
  await listener.listen();
  if (signal?.aborted) {
    await listener.stop();
    throw signal.reason;
  }
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const close = () => listener.close();

  return {
    get url() {
      return `http://${host}:${listener.port}`;
    },
    get port() {
      return listener.port;
    },
    host: opts.host,
    get requests() {
      return log.list();
    },
    setFaults(faults) {
      if (listener.closed) throw new SimClosedError('set faults');
      picker = new FaultPicker(normalizeFaultPlan(faults, opts.seed));
    },
    stats() {
      const now = Date.now();
      return {
        requests: log.total,
        active: log.active,
        queued: scheduler.queued,
        peakQueued: scheduler.peakQueued,
        rejected: scheduler.rejected,
        byRoute: { ...log.byRoute },
        byStatus: { ...log.byStatus },
        faults: { ...log.faults },
        promptTokens: counters.promptTokens,
        evalTokens: counters.evalTokens,
        streams: counters.streams,
        truncatedPrompts: counters.truncatedPrompts,
        embeddings: counters.embeddings,
        aborted: log.aborted,
        replayed: fixtures.replayed,
        replayMisses: fixtures.misses,
        connections: listener.connections,
        loads: store.loads,
        loadedModels: store.loaded(now).map((x) => x.rt.model.name),
        listening: listener.listening,
        quota: quota?.stats() ?? {},
      };
    },
    // stop() and close() count what they drop before the sockets go (`Life.drop`), and resolve
    // without waiting for the clients: a test's `const p = client.chat(); await sim.stop(); await
    // expect(p).rejects…` must not see `p` reject before it attached its handler (an unhandled
    // rejection fails a vitest run).
    stop: () => listener.stop(),
    restart: () => listener.restart(),
    onRequest: (listener) => topics.request.on(listener),
    onFault: (listener) => topics.fault.on(listener),
    close,
    [Symbol.asyncDispose]: close,
  };
}
