/**
 * A loopback server that answers each request with one misbehaviour drawn from a seeded random
 * source: the chaos soak tests of the providers (`src/chaos.test.ts`). The providers speak
 * different wires, so what a well-formed answer looks like comes from a {@link ChaosWire}; the
 * faults themselves (resets, stalls, trickles, truncation, garbage, pages, huge bodies, silence)
 * are the same for every provider. Test tooling, never published.
 */
import http from 'node:http';
import { listenTracked } from './route-server';

/** How one provider's API writes its answers. */
export interface ChaosWire {
  /** Content type of a streamed answer (`application/x-ndjson`, `text/event-stream`). */
  readonly streamType: string;
  /** Whether the request body asked for a streamed answer. */
  wantsStream(body: Record<string, unknown>): boolean;
  /** A streamed answer of `words`, each piece a whole line or event. */
  streamed(words: readonly string[]): string[];
  /** A whole (unstreamed) answer of `words`. */
  whole(words: readonly string[]): string;
  /** The API's JSON error body. */
  errorBody(message: string): string;
  /** One piece of a stream that reports an error in the middle of the answer. */
  streamError(message: string): string;
}

/** Floats in [0, 1), drawn from a seed. */
export type Draw = () => number;

/** Every behaviour the server can pick, with how often it is picked relative to the others. */
const WEIGHTS = {
  ok: 5,
  'status-500': 1,
  'status-503': 1,
  'status-429': 1,
  'reset-before-headers': 1,
  'reset-mid-body': 1,
  'stall-after-headers': 1,
  'stall-mid-body': 1,
  trickle: 1,
  truncated: 1,
  'short-content-length': 1,
  'garbage-body': 1,
  'garbage-raw': 1,
  html: 1,
  'error-200': 1,
  'error-in-stream': 1,
  huge: 1,
  'huge-line': 1,
  silent: 1,
} as const;

export type Behaviour = keyof typeof WEIGHTS;

/**
 * Retry-After values a server might send: none, sensible, negative, fractional, words, dates in
 * the past and far in the future, a number too large for a timer.
 */
const RETRY_AFTER = [
  undefined,
  '0',
  '1',
  '-3',
  '0.05',
  'soon',
  '',
  '99999999999',
  'Thu, 01 Jan 1970 00:00:00 GMT',
  'Fri, 31 Dec 9999 23:59:59 GMT',
] as const;

/** A running chaos server. */
export interface ChaosServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** The behaviours each call was answered with, in order (key: the call id in the prompt). */
  readonly served: ReadonlyMap<number, readonly string[]>;
  /** Requests answered so far, by behaviour. */
  readonly counts: Readonly<Record<string, number>>;
  /** Sockets open right now. */
  openSockets(): number;
  /** Destroys every socket, then stops listening. */
  close(): Promise<void>;
}

/** Bytes past which a provider under chaos must refuse an answer (its maxLineBytes and maxAnswerBytes). */
export const CHAOS_BYTE_CAP = 64 * 1024;

/** Pieces of 1,000 bytes in a huge answer: three times the cap. */
const HUGE_PIECES = Math.ceil((3 * CHAOS_BYTE_CAP) / 1_000);

/** The call id a chaos test writes into its prompt (`chaos call 17`), so the server can say who it answered. */
export function chaosPrompt(id: number): string {
  return `chaos call ${id}`;
}

function pick(random: Draw): Behaviour {
  const entries = Object.entries(WEIGHTS) as [Behaviour, number][];
  let roll = random() * entries.reduce((sum, [, w]) => sum + w, 0);
  for (const [name, weight] of entries) {
    roll -= weight;
    if (roll < 0) return name;
  }
  return 'ok';
}

/** What a proxy in front of the server answers when its upstream is gone: a web page, status 200 here. */
const PAGE =
  '<!doctype html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>\n';

/**
 * Starts the server on 127.0.0.1:0. Every request draws its behaviour from `random`, so one seed
 * replays the same sequence of answers (up to the order in which concurrent requests arrive).
 * Error bodies echo the request's credentials back, so a provider that copies a body into an
 * error would leak them and the test would see it.
 */
export async function startChaosServer(wire: ChaosWire, random: Draw): Promise<ChaosServer> {
  const served = new Map<number, string[]>();
  const counts: Record<string, number> = {};
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const words = () => Array.from({ length: int(1, 12) }, (_, i) => `w${i} `);
  const garbage = (n: number) =>
    Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));

  const server = http.createServer({ keepAliveTimeout: 2_000, requestTimeout: 0 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // Not JSON: answered all the same.
      }
      const id = Number(/chaos call (\d+)/.exec(JSON.stringify(body))?.[1] ?? -1);
      const behaviour = pick(random);
      const label =
        behaviour === 'status-429' || behaviour === 'status-503'
          ? withRetryAfter(behaviour)
          : { text: behaviour, retryAfter: undefined };
      served.set(id, [...(served.get(id) ?? []), label.text]);
      counts[behaviour] = (counts[behaviour] ?? 0) + 1;
      answer(req, res, behaviour, label.retryAfter, wire.wantsStream(body));
    });
  });

  function withRetryAfter(behaviour: Behaviour): { text: string; retryAfter: string | undefined } {
    const retryAfter = RETRY_AFTER[int(0, RETRY_AFTER.length - 1)];
    return { text: `${behaviour} (Retry-After: ${retryAfter ?? 'none'})`, retryAfter };
  }

  function answer(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    behaviour: Behaviour,
    retryAfter: string | undefined,
    stream: boolean,
  ): void {
    // Every timer of this answer stops when its connection does: nothing outlives close().
    const timers = new Set<ReturnType<typeof setTimeout>>();
    res.on('close', () => {
      for (const timer of timers) clearTimeout(timer);
    });
    const later = (ms: number, then: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) then();
      }, ms);
      timers.add(timer);
    };
    const secret = `${req.headers.authorization ?? ''} ${req.headers['x-api-key'] ?? ''}`;
    const type = stream ? wire.streamType : 'application/json';
    const full = stream ? wire.streamed(words()).join('') : wire.whole(words());
    switch (behaviour) {
      case 'ok':
        res.writeHead(200, { 'content-type': type });
        res.end(full);
        return;
      case 'status-500':
      case 'status-503':
      case 'status-429': {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
        res.writeHead(Number(behaviour.slice(-3)), headers);
        res.end(wire.errorBody(`overloaded, your credentials were ${secret}`));
        return;
      }
      case 'reset-before-headers':
        req.socket.destroy();
        return;
      case 'reset-mid-body':
        res.writeHead(200, { 'content-type': type });
        res.write(full.slice(0, int(1, full.length - 1)));
        later(int(0, 30), () => req.socket.destroy());
        return;
      case 'stall-after-headers':
        res.writeHead(200, { 'content-type': type });
        res.flushHeaders();
        return;
      case 'stall-mid-body':
        res.writeHead(200, { 'content-type': type });
        res.write(stream ? wire.streamed(words())[0]! : full.slice(0, int(1, full.length - 1)));
        return;
      case 'trickle': {
        res.writeHead(200, { 'content-type': type });
        const bytes = Buffer.from(full);
        const step = int(1, 24);
        const every = int(2, 60);
        let at = 0;
        const tick = () => {
          res.write(bytes.subarray(at, at + step));
          at += step;
          if (at >= bytes.length) res.end();
          else later(every, tick);
        };
        tick();
        return;
      }
      case 'truncated':
        res.writeHead(200, { 'content-type': type });
        res.end(full.slice(0, int(0, full.length - 1)));
        return;
      case 'short-content-length':
        // Promises more than it sends, then closes: the body ends early at the HTTP layer.
        res.writeHead(200, { 'content-type': type, 'content-length': String(full.length + 50) });
        res.write(full);
        later(int(0, 20), () => req.socket.destroy());
        return;
      case 'garbage-body':
        res.writeHead(200, { 'content-type': type });
        res.end(garbage(int(1, 2_000)));
        return;
      case 'garbage-raw':
        // No HTTP at all: bytes where the status line should be, sometimes the credentials too.
        req.socket.end(
          Buffer.concat([Buffer.from(random() < 0.5 ? `${secret}\r\n` : ''), garbage(int(1, 200))]),
        );
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(PAGE);
        return;
      case 'error-200':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(wire.errorBody(`model crashed, your credentials were ${secret}`));
        return;
      case 'error-in-stream': {
        const pieces = stream ? wire.streamed(words()) : [];
        res.writeHead(200, { 'content-type': type });
        res.end(
          pieces.slice(0, int(0, pieces.length - 1)).join('') +
            (stream
              ? wire.streamError(`runner died, credentials ${secret}`)
              : wire.errorBody(`runner died ${secret}`)),
        );
        return;
      }
      case 'huge': {
        // Well-formed, each piece small, together past the cap.
        res.writeHead(200, { 'content-type': type });
        const filler = 'x'.repeat(1_000);
        if (!stream) {
          res.end(wire.whole(Array.from({ length: HUGE_PIECES }, () => filler)));
          return;
        }
        const many = wire.streamed(Array.from({ length: HUGE_PIECES }, () => filler));
        res.end(many.join(''));
        return;
      }
      case 'huge-line':
        // One line with no end in sight: the line cap, not the answer cap, has to stop it.
        res.writeHead(200, { 'content-type': type });
        res.end(`{"x":"${'y'.repeat(3 * CHAOS_BYTE_CAP)}`);
        return;
      case 'silent':
        // Accepted, read, never answered.
        return;
    }
  }

  const { url, openSockets, close } = await listenTracked(server);
  return { url, served, counts, openSockets, close };
}
