import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createTopics, isPlainObject } from '@x/internal';
import { ListenError, SimClosedError } from './errors';
import type { FaultKind, FaultPlan, FaultRule } from './faults';
import { OllamaApi } from './internal/api';
import { FaultPicker, NO_FAULTS, type RequestFaults } from './internal/fault-picker';
import { goJson } from './internal/go-json';
import { scanGoJson } from './internal/go-json-error';
import { allowedHost, isLoopbackBind } from './internal/host-check';
import { Life } from './internal/life';
import { FixtureMatcher, serveFixture } from './internal/replay';
import { JSON_TYPE, Responder } from './internal/responder';
import { Scheduler } from './internal/scheduler';
import { normalizeFaultPlan, type OllamaSimOptions, resolveOptions } from './options';

/** One request as the simulator received it (kept in the bounded `requests` log). */
export interface RequestLogEntry {
  /** Sequence number, from 1. */
  readonly id: number;
  /** Arrival time, ms since epoch. */
  readonly time: number;
  readonly method: string;
  readonly path: string;
  /** Request headers; `authorization`, `cookie` and `proxy-authorization` are redacted. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The decoded JSON body, the raw text when it was not JSON, `'[N bytes not logged]'` above 64 KiB, or undefined. */
  readonly body: unknown;
  /** HTTP status sent (0 when the connection was destroyed before any header). */
  status: number;
  /** Faults applied to this request. */
  readonly faults: readonly FaultKind[];
  /** `'completed'`, `'aborted'` (client went away) or `'cut'` (a fault ended it). */
  outcome: 'completed' | 'aborted' | 'cut' | 'pending';
  /** Time until the response ended, ms. */
  durationMs: number;
}

/** A JSON-serialisable snapshot of the simulator's counters (never reset). */
export interface OllamaSimStats {
  readonly requests: number;
  readonly active: number;
  readonly queued: number;
  readonly peakQueued: number;
  /** Requests refused with 503 because the queue was full. */
  readonly rejected: number;
  readonly byRoute: Readonly<Record<string, number>>;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly faults: Readonly<Partial<Record<FaultKind, number>>>;
  readonly promptTokens: number;
  readonly evalTokens: number;
  readonly streams: number;
  readonly truncatedPrompts: number;
  readonly aborted: number;
  readonly connections: number;
  readonly loads: number;
  readonly loadedModels: readonly string[];
  readonly listening: boolean;
}

/** What `onFault` listeners receive. */
export interface FaultEvent {
  readonly requestId: number;
  readonly path: string;
  readonly model: string | undefined;
  readonly kinds: readonly FaultKind[];
}

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
   * @throws {TypeError | RangeError} on a malformed plan. @throws {SimClosedError} after close().
   */
  setFaults(faults: FaultPlan | readonly FaultRule[]): void;
  stats(): OllamaSimStats;
  /** Stops listening and drops every connection: clients now get ECONNREFUSED. */
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
  /** Stops the server, ends every connection and timer. Idempotent. */
  close(): Promise<void>;
}

type Route =
  | 'root'
  | 'version'
  | 'tags'
  | 'ps'
  | 'show'
  | 'chat'
  | 'generate'
  | 'embed'
  | 'embeddings';
const ROUTES = new Map<string, { route: Route; methods: readonly string[] }>([
  ['/', { route: 'root', methods: ['GET', 'HEAD'] }],
  ['/api/version', { route: 'version', methods: ['GET', 'HEAD'] }],
  ['/api/tags', { route: 'tags', methods: ['GET', 'HEAD'] }],
  ['/api/ps', { route: 'ps', methods: ['GET'] }],
  ['/api/show', { route: 'show', methods: ['POST'] }],
  ['/api/chat', { route: 'chat', methods: ['POST'] }],
  ['/api/generate', { route: 'generate', methods: ['POST'] }],
  ['/api/embed', { route: 'embed', methods: ['POST'] }],
  ['/api/embeddings', { route: 'embeddings', methods: ['POST'] }],
]);

const STATUS_TEXT: Record<number, string> = {
  500: 'model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details',
  503: 'server busy, please try again.  maximum pending requests exceeded',
  502: 'bad gateway',
  429: 'too many requests',
  404: 'not found',
  400: 'bad request',
};

const LOG_BODY_LIMIT = 64 * 1024;

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

function redact(
  headers: IncomingMessage['headers'],
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const key of Object.keys(headers)) {
    out[key] = SECRET_HEADERS.has(key) ? '[redacted]' : headers[key];
  }
  return out;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
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
  const api = new OllamaApi(opts, scheduler);
  let picker = new FaultPicker(opts.faults);
  const fixtures = new FixtureMatcher(opts.fixtures);
  const hostCheck = opts.hostCheck && isLoopbackBind(opts.host);

  const log: RequestLogEntry[] = [];
  const lives = new Set<Life>();
  const sockets = new Set<Socket>();
  // Listeners and the x:ollama-sim:<event> channels; a throwing listener becomes a process warning.
  const topics = createTopics<{ request: RequestLogEntry; fault: FaultEvent }>('ollama-sim', [
    'request',
    'fault',
  ]);
  const byRoute: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const faultCounts: Partial<Record<FaultKind, number>> = {};
  let total = 0;
  let active = 0;
  let aborted = 0;
  let connections = 0;
  let closed = false;
  let listening = false;
  let port = opts.port;
  let refuseTimer: ReturnType<typeof setTimeout> | undefined;

  const server: Server = createServer({ keepAliveTimeout: 0, requestTimeout: 0 }, (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      // A handler bug must not take the process down; answer 500 if still possible.
      if (!res.headersSent && !res.destroyed) {
        res.statusCode = 500;
        res.setHeader('Content-Type', JSON_TYPE);
        res.end(goJson({ error: error instanceof Error ? error.message : String(error) }));
      } else res.destroy();
    });
  });
  // Ollama sets no idle timeout; pooled sockets stay open until the client closes them.
  server.keepAliveTimeout = 0;
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  /** Listens started and not yet settled: close() waits for them. */
  const listens = new Set<Promise<void>>();

  function listen(): Promise<void> {
    const attempt = new Promise<void>((resolve, reject) => {
      const onError = (error: unknown) => {
        server.off('listening', onListening);
        reject(new ListenError(opts.host, port, error));
      };
      const onListening = () => {
        server.off('error', onError);
        port = (server.address() as AddressInfo).port;
        if (closed) {
          // close() ran while this listen (restart(), or the end of a refuse fault) was on its
          // way: the server must not listen again after close().
          server.close(() => reject(new SimClosedError('restart')));
          return;
        }
        listening = true;
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, opts.host);
    });
    listens.add(attempt);
    const settled = () => {
      listens.delete(attempt);
    };
    attempt.then(settled, settled);
    return attempt;
  }

  function dropConnections(): void {
    for (const life of lives) life.abort();
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
  }

  function stopListening(): Promise<void> {
    if (!listening) return Promise.resolve();
    listening = false;
    return new Promise((resolve) => {
      server.close(() => resolve());
      dropConnections();
    });
  }

  function refuse(ms: number): void {
    void stopListening().then(() => {
      if (closed) return;
      if (refuseTimer !== undefined) clearTimeout(refuseTimer);
      refuseTimer = setTimeout(() => {
        refuseTimer = undefined;
        if (!closed && !listening) void listen().catch(() => undefined);
      }, ms);
      refuseTimer.unref?.();
    });
  }

  function readBody(req: IncomingMessage): Promise<Buffer | 'too-large' | 'aborted'> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      req.on('data', (chunk: Buffer) => {
        if (over) return;
        size += chunk.length;
        if (size > opts.maxBodyBytes) {
          over = true;
          resolve('too-large');
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (!over) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      });
      req.on('error', () => resolve('aborted'));
      req.on('close', () => {
        if (!req.complete && !over) resolve('aborted');
      });
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const id = ++total;
    active++;
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    // Unknown paths share one counter so a scanner cannot grow the stats without bound.
    const routeKey = ROUTES.has(path) ? path : 'other';
    byRoute[routeKey] = (byRoute[routeKey] ?? 0) + 1;
    const life = new Life();
    lives.add(life);
    let entry: RequestLogEntry | undefined;
    let faults: RequestFaults = NO_FAULTS;
    let out: Responder | undefined;
    res.on('close', () => {
      active--;
      lives.delete(life);
      const status = res.headersSent ? res.statusCode : 0;
      const key = String(status);
      byStatus[key] = (byStatus[key] ?? 0) + 1;
      let outcome: RequestLogEntry['outcome'] = 'completed';
      if (out?.cut) outcome = 'cut';
      else if (!res.writableFinished) {
        outcome = 'aborted';
        aborted++;
      }
      if (!res.writableFinished) life.abort();
      if (entry !== undefined) {
        entry.status = status;
        entry.outcome = outcome;
        entry.durationMs = performance.now() - started;
        topics.request.emit(entry);
      }
    });

    let body: unknown;
    let rawBody: Buffer | undefined;
    const record = () => {
      if (opts.maxLogEntries === 0 && !topics.request.active) return;
      entry = {
        id,
        time: Date.now(),
        method,
        path,
        headers: redact(req.headers),
        // Large bodies are not kept: a log of 1000 long prompts would hold gigabytes.
        body:
          rawBody !== undefined && rawBody.length > LOG_BODY_LIMIT
            ? `[${rawBody.length} bytes not logged]`
            : body !== undefined
              ? body
              : rawBody && rawBody.length > 0
                ? rawBody.toString('utf8')
                : undefined,
        status: 0,
        faults: faults.kinds,
        outcome: 'pending',
        durationMs: 0,
      };
      if (opts.maxLogEntries > 0) {
        log.push(entry);
        if (log.length > opts.maxLogEntries) log.shift();
      }
    };

    if (hostCheck && !allowedHost(req.headers.host)) {
      record();
      res.statusCode = 403;
      res.setHeader('Content-Length', 0);
      res.end();
      return;
    }
    const known = ROUTES.get(path);
    if (known === undefined) {
      record();
      // gin's RedirectTrailingSlash: /api/chat/ -> /api/chat (301 for GET, 307 otherwise).
      const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
      if (path !== '/' && ROUTES.has(other)) {
        const location = other + (q >= 0 ? url.slice(q) : '');
        res.statusCode = method === 'GET' ? 301 : 307;
        res.setHeader('Location', location);
        if (method === 'GET' || method === 'HEAD') {
          // Go's http.Redirect writes a small HTML body for GET and HEAD.
          const html = `<a href="${location.replace(/&/g, '&amp;').replace(/"/g, '&#34;').replace(/</g, '&lt;')}">${method === 'GET' ? 'Moved Permanently' : 'Temporary Redirect'}</a>.\n\n`;
          res.setHeader('Content-Type', 'text/html; charset=utf-8');
          res.setHeader('Content-Length', Buffer.byteLength(html));
          res.end(html);
          return;
        }
        res.setHeader('Content-Length', 0);
        res.end();
        return;
      }
      return plain(res, 404, '404 page not found');
    }
    if (!known.methods.includes(method)) {
      record();
      return plain(res, 405, '405 method not allowed');
    }

    let parseError: string | undefined;
    if (method === 'POST') {
      const raw = await readBody(req);
      if (raw === 'aborted') return;
      if (raw === 'too-large') {
        record();
        res.setHeader('Connection', 'close');
        res.statusCode = 413;
        res.setHeader('Content-Type', JSON_TYPE);
        res.end(goJson({ error: 'http: request body too large' }));
        return;
      }
      rawBody = raw;
      const text = raw.toString('utf8');
      if (text.trim() === '') parseError = 'missing request body';
      else {
        try {
          body = JSON.parse(text);
        } catch {
          const scanned = scanGoJson(text);
          if ('error' in scanned) parseError = scanned.error;
          else body = JSON.parse(text.slice(0, scanned.end));
        }
        if (parseError === undefined && !isPlainObject(body) && body !== null) {
          const kind = Array.isArray(body)
            ? 'array'
            : typeof body === 'boolean'
              ? 'bool'
              : typeof body;
          const struct = {
            show: 'ShowRequest',
            chat: 'ChatRequest',
            generate: 'GenerateRequest',
            embed: 'EmbedRequest',
            embeddings: 'EmbeddingRequest',
          }[known.route as 'chat'];
          parseError = `json: cannot unmarshal ${kind} into Go value of type api.${struct}`;
        }
      }
    }
    const model = isPlainObject(body) && typeof body.model === 'string' ? body.model : undefined;
    faults = picker.pick(path, model);
    record();
    if (faults !== NO_FAULTS) {
      for (const kind of faults.kinds) faultCounts[kind] = (faultCounts[kind] ?? 0) + 1;
      const event: FaultEvent = { requestId: id, path, model, kinds: faults.kinds };
      topics.fault.emit(event);
    }
    out = new Responder(res, faults, life);
    if (faults.refuse !== undefined) {
      out.destroy();
      refuse(faults.refuse.ms);
      return;
    }
    if (faults.latencyMs > 0) {
      await life.sleep(faults.latencyMs);
      if (life.aborted) return;
    }
    if (faults.replay !== undefined) return serveFixture(faults.replay, out, res);
    if (faults.status !== undefined) {
      const s = faults.status;
      if (s.body !== undefined) return out.send(s.status, s.body, s.contentType ?? JSON_TYPE);
      const text = s.error ?? STATUS_TEXT[s.status] ?? `status ${s.status}`;
      return out.send(s.status, goJson({ error: text }), s.contentType ?? JSON_TYPE);
    }
    const fixture = fixtures.match(method, path, body);
    if (fixture !== undefined) return serveFixture(fixture, out, res);

    switch (known.route) {
      case 'root':
        res.setHeader('Content-Length', 17);
        return out.send(200, 'Ollama is running', 'text/plain; charset=utf-8');
      case 'version':
        return api.version(out);
      case 'tags':
        return api.tags(out);
      case 'ps':
        return api.ps(out);
    }
    if (parseError !== undefined) return out.send(400, goJson({ error: parseError }));
    const ex = { body: (body ?? {}) as Record<string, unknown>, life, out };
    switch (known.route) {
      case 'show':
        return api.show(ex);
      case 'chat':
        return api.chat(ex);
      case 'generate':
        return api.generate(ex);
      case 'embed':
        return api.embed(ex, false);
      case 'embeddings':
        return api.embed(ex, true);
    }
  }

  const signal = options.signal;
  signal?.throwIfAborted();
  await listen();
  if (signal?.aborted) {
    await stopListening();
    throw signal.reason;
  }
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  return {
    get url() {
      return `http://${host}:${port}`;
    },
    get port() {
      return port;
    },
    host: opts.host,
    get requests() {
      return log.slice();
    },
    setFaults(faults) {
      if (closed) throw new SimClosedError('set faults');
      picker = new FaultPicker(normalizeFaultPlan(faults, opts.seed));
    },
    stats() {
      const now = Date.now();
      return {
        requests: total,
        active,
        queued: scheduler.queued,
        peakQueued: scheduler.peakPending,
        rejected: scheduler.rejected,
        byRoute: { ...byRoute },
        byStatus: { ...byStatus },
        faults: { ...faultCounts },
        promptTokens: api.counters.promptTokens,
        evalTokens: api.counters.evalTokens,
        streams: api.counters.streams,
        truncatedPrompts: api.counters.truncatedPrompts,
        aborted,
        connections,
        loads: api.runtimes.reduce((n, rt) => n + rt.loads, 0),
        loadedModels: api.runtimes
          .filter((rt) => rt.current(now) !== undefined)
          .map((rt) => rt.model.name),
        listening,
      };
    },
    async stop() {
      if (refuseTimer !== undefined) {
        clearTimeout(refuseTimer);
        refuseTimer = undefined;
      }
      await stopListening();
    },
    async restart() {
      if (closed) throw new SimClosedError('restart');
      if (refuseTimer !== undefined) {
        clearTimeout(refuseTimer);
        refuseTimer = undefined;
      }
      if (!listening) await listen();
    },
    onRequest(listener) {
      return topics.request.on(listener);
    },
    onFault(listener) {
      return topics.fault.on(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (refuseTimer !== undefined) clearTimeout(refuseTimer);
      refuseTimer = undefined;
      if (listening) await stopListening();
      else dropConnections();
      await Promise.allSettled([...listens]);
    },
  };
}
