import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPlainObject, type Topic } from '@x/internal';
import type { FaultEvent, RequestLogEntry } from '../reports';
import type { Json, SimContext } from './context';
import { type FaultPicker, NO_FAULTS, type RequestFaults } from './fault-picker';
import { goJson } from './go-json';
import { allowedHost } from './host-check';
import { applyLeadingFaults } from './leading-faults';
import { Life } from './life';
import type { Quota, QuotaTicket } from './quota';
import { type FixtureMatcher, serveFixture } from './replay';
import { decodeJsonBody, readBody, readUpload, type Upload } from './request-body';
import type { RequestLog } from './request-log';
import { Responder } from './responder';
import { answerUnrouted, findRoute, plain, type Route } from './router';
import { ROUTES } from './routes';
import { JSON_TYPE, OLLAMA, OPENAI } from './wire';

/** What the request pipeline needs from the simulator. */
export interface HandlerDeps {
  readonly ctx: SimContext;
  readonly log: RequestLog;
  readonly faultTopic: Topic<FaultEvent>;
  /** The current fault plan's picker (`setFaults` replaces it). */
  readonly picker: () => FaultPicker;
  readonly fixtures: FixtureMatcher;
  /** Answer 403 to a non-local `Host` (Ollama bound to loopback). */
  readonly hostCheck: boolean;
  /** Every request in progress, so a stop or close ends their timers. */
  readonly lives: Set<Life>;
  /** Stops listening for `ms` (the `refuse` fault). */
  readonly refuse: (ms: number) => void;
  /** The per-key quota of the `/v1` routes, when the `quota` option is set. */
  readonly quota: Quota | undefined;
}

/** The body as read: bytes and decoded JSON, a decoder error, or the reason it was not read. */
interface Read {
  readonly raw?: Buffer | undefined;
  readonly body?: unknown;
  readonly error?: string | undefined;
  readonly upload?: Upload | undefined;
}

async function read(
  req: IncomingMessage,
  route: Route,
  method: string,
  limit: number,
): Promise<Read | 'too-large' | 'aborted'> {
  if (route.body === 'none' || method === 'GET' || method === 'HEAD') return {};
  if (route.body === 'upload') {
    const upload = await readUpload(req);
    return upload === 'aborted' ? upload : { upload };
  }
  const raw = await readBody(req, limit);
  if (typeof raw === 'string') return raw;
  const decoded = decodeJsonBody(raw, route.struct ?? 'Request');
  return { raw, body: decoded.body, error: decoded.error };
}

/** The model a request names, for fault rules (`name` is the deprecated spelling ollama-js sends). */
function modelOf(body: unknown): string | undefined {
  if (!isPlainObject(body)) return undefined;
  if (typeof body.model === 'string') return body.model;
  return typeof body.name === 'string' ? body.name : undefined;
}

/**
 * The request pipeline: accounting, host check, routing, body, faults, then the endpoint. A bug
 * in a handler answers 500 (or drops the connection) rather than taking the process down.
 */
export function createHandler(
  deps: HandlerDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { ctx, log } = deps;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const found = findRoute(ROUTES, path);
    const id = log.arrive(found?.route.path ?? 'other');
    const life = new Life();
    deps.lives.add(life);
    let entry: RequestLogEntry | undefined;
    let out: Responder | undefined;
    // Counted once: when the response closes, or earlier when the simulator drops it.
    let counted = false;
    const count = () => {
      if (counted) return;
      counted = true;
      deps.lives.delete(life);
      let outcome: RequestLogEntry['outcome'] = 'completed';
      if (out?.cut) outcome = 'cut';
      else if (!res.writableFinished) outcome = 'aborted';
      if (!res.writableFinished) life.abort();
      log.finish(entry, res.headersSent ? res.statusCode : 0, outcome, performance.now() - started);
    };
    res.on('close', count);
    life.whenDropped(count);
    const record = (raw?: Buffer, body?: unknown, faults: RequestFaults = NO_FAULTS) => {
      entry = log.record({
        id,
        method,
        path,
        headers: req.headers,
        raw,
        body,
        faults: faults.kinds,
      });
    };

    if (deps.hostCheck && !allowedHost(req.headers.host)) {
      record();
      res.statusCode = 403;
      res.setHeader('Content-Length', 0);
      res.end();
      return;
    }
    if (found === undefined) {
      record();
      return answerUnrouted(ROUTES, res, method, path, q >= 0 ? url.slice(q) : '');
    }
    const { route, param } = found;
    if (!route.methods.includes(method)) {
      record();
      return plain(res, 405, '405 method not allowed');
    }
    const dialect = route.dialect === 'openai' ? OPENAI : OLLAMA;
    const got = await read(req, route, method, ctx.opts.maxBodyBytes);
    if (got === 'aborted') return;
    if (got === 'too-large') {
      record();
      const answer = dialect.requestError(413, 'http: request body too large');
      res.setHeader('Connection', 'close');
      res.statusCode = 413;
      res.setHeader('Content-Type', answer.type);
      res.end(answer.body);
      return;
    }
    const model = modelOf(got.body);
    const faults = deps.picker().pick(path, model, route.path);
    record(got.raw, got.body, faults);
    if (faults !== NO_FAULTS) {
      log.countFaults(faults.kinds);
      deps.faultTopic.emit({ requestId: id, path, model, kinds: faults.kinds });
    }
    out = new Responder(res, faults, life, dialect);
    if (await applyLeadingFaults(faults, out, res, life, deps.refuse, model)) return;
    let quota: QuotaTicket | undefined;
    if (deps.quota !== undefined && dialect === OPENAI) {
      const admission = deps.quota.admit(req.headers.authorization, model);
      if ('rejected' in admission) {
        const { headers, message, kind } = admission.rejected;
        for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
        return out.sendError(429, message, { type: kind, code: 'rate_limit_exceeded' });
      }
      quota = admission.ticket;
      out.onHead = quota.head;
    }
    const fixture = deps.fixtures.match(method, path, got.body);
    if (fixture !== undefined) return serveFixture(fixture, out, res);
    if (got.error !== undefined) {
      const answer = dialect.requestError(400, got.error);
      return out.send(400, answer.body, answer.type);
    }
    const body = isPlainObject(got.body) ? (got.body as Json) : {};
    return route.handle(ctx, { body, upload: got.upload, param, method, life, out, quota });
  }

  return (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.statusCode = 500;
        res.setHeader('Content-Type', JSON_TYPE);
        res.end(goJson({ error: error instanceof Error ? error.message : String(error) }));
      } else res.destroy();
    });
  };
}
