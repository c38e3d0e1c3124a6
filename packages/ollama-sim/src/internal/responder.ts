import type { ServerResponse } from 'node:http';
import type { RunnerCrashFault } from '../faults';
import { NO_FAULTS, type RequestFaults } from './fault-picker';
import type { Life } from './life';
import { type Dialect, type ErrorKind, JSON_TYPE, OLLAMA } from './wire';

export const NDJSON_TYPE = 'application/x-ndjson';
/** Go's net/http buffers this much before switching a response to chunked encoding. */
const CONTENT_LENGTH_LIMIT = 2048;
const DEFAULT_STREAM_ERROR = 'an error was encountered while running the model: unexpected EOF';

/**
 * Writes one HTTP response the way Ollama does, applying the request's stream faults
 * (stalls, error lines, destroyed connections, early ends, split writes, slow headers).
 */
export class Responder {
  /** Body chunks written so far. */
  chunks = 0;
  /** Body bytes written so far. */
  bytes = 0;
  /** Set when a fault ended the response early. */
  cut = false;
  /**
   * Sets headers every answer of this request carries (the quota's `x-ratelimit-*`), computed
   * when the status line is about to leave.
   */
  onHead: ((res: ServerResponse) => void) | undefined;
  /**
   * The `/v1` stream's ordinary empty chunk: what Ollama's OpenAI writer makes of the native
   * `{"error":"..."}` line it is handed mid-stream (middleware/openai.go decodes it as an answer
   * with nothing in it), set by the writer of the stream.
   */
  emptyEvent: (() => string) | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly faults: RequestFaults,
    private readonly life: Life,
    /** How errors are written: Ollama's native `{"error":"..."}` or the OpenAI layer's shape. */
    readonly dialect: Dialect = OLLAMA,
  ) {}

  /** The `runner-crash` fault of this request: the endpoints answer it once the model is scheduled. */
  get runnerCrash(): RunnerCrashFault | undefined {
    return this.faults.runnerCrash;
  }

  /** No stream fault applies: chunks may be batched. */
  get plain(): boolean {
    const f = this.faults;
    return (
      f.stalls.length === 0 &&
      f.split === undefined &&
      f.errorLine === undefined &&
      f.destroy === undefined &&
      f.endEarly === undefined
    );
  }

  /**
   * A HEAD request. Go's net/http declares no length for a HEAD whose handler wrote nothing (an
   * empty body cannot be told from one skipped for HEAD), but keeps the length of one it wrote.
   */
  private get head(): boolean {
    return this.res.req?.method === 'HEAD';
  }

  get gone(): boolean {
    return this.life.aborted || this.res.destroyed;
  }

  /**
   * A complete (non-streamed) response: Content-Length up to 2 KiB, chunked above, as Go does.
   * A `null` content type sends none (a handler that only sets a status, like `/api/delete`).
   */
  async send(
    status: number,
    body: string | Buffer,
    contentType: string | null = JSON_TYPE,
  ): Promise<void> {
    const f = this.faults;
    if (f.destroy !== undefined || f.errorLine !== undefined || f.slowHeadersMs > 0) {
      if (f.destroy !== undefined) return this.destroy();
      if (f.errorLine !== undefined) {
        // A failure during a non-streamed generation becomes an HTTP 500 with the error JSON.
        const answer = this.dialect.error(500, f.errorLine.error ?? DEFAULT_STREAM_ERROR);
        status = 500;
        body = answer.body;
        contentType = answer.type;
      }
      await this.life.sleep(f.slowHeadersMs);
      if (this.gone) return;
    }
    for (const stall of f.stalls) {
      await this.life.sleep(stall.ms);
      if (this.gone) return;
    }
    const res = this.res;
    this.onHead?.(res);
    res.statusCode = status;
    if (contentType !== null) res.setHeader('Content-Type', contentType);
    if (f === NO_FAULTS && typeof body === 'string') {
      // Hot path: a string body lets Node send headers and body in one write (no writev).
      const length = Buffer.byteLength(body);
      this.bytes += length;
      if (length <= CONTENT_LENGTH_LIMIT) {
        if (length > 0 || !this.head) res.setHeader('Content-Length', length);
        res.end(body);
      } else {
        res.write(body);
        res.end();
      }
      return;
    }
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (f.endEarly !== undefined) {
      // A proxy or a dying server cut the body: half of it arrives, then a clean chunked end.
      this.cut = true;
      await this.write(buf.subarray(0, Math.floor(buf.length / 2)));
      res.end();
      return;
    }
    if (buf.length <= CONTENT_LENGTH_LIMIT && (buf.length > 0 || !this.head))
      res.setHeader('Content-Length', buf.length);
    if (f.split !== undefined) {
      await this.write(buf);
      if (!this.gone) res.end();
      return;
    }
    this.bytes += buf.length;
    if (buf.length <= CONTENT_LENGTH_LIMIT) res.end(buf);
    else {
      res.write(buf);
      res.end();
    }
  }

  /**
   * An error the runner raised before the first chunk: a stream's status and bare
   * `application/json` (Ollama's streamResponse), or a whole answer's JSON.
   */
  sendRunnerError(status: number, text: string, streaming: boolean): Promise<void> {
    const answer = streaming
      ? this.dialect.streamStartError(text, status)
      : this.dialect.error(status, text);
    return this.send(status, answer.body, answer.type);
  }

  /** An error answer in this request's dialect (`kind`: the OpenAI `type` and `code`). */
  sendError(status: number, text: string, kind?: ErrorKind): Promise<void> {
    const answer = this.dialect.error(status, text, kind);
    return this.send(status, answer.body, answer.type);
  }

  /** Sets a stream's status and headers; they leave with the first chunk, as in Ollama. */
  async start(status = 200, contentType = NDJSON_TYPE): Promise<void> {
    const res = this.res;
    this.onHead?.(res);
    res.statusCode = status;
    res.setHeader('Content-Type', contentType);
    if (this.faults.slowHeadersMs > 0) await this.life.sleep(this.faults.slowHeadersMs);
  }

  /**
   * Writes one stream chunk unless a fault takes its place. Returns false when the response is over
   * (fault or client gone) and the caller must stop producing.
   */
  async chunk(data: string | Buffer, isFinal: boolean): Promise<boolean> {
    if (this.gone) return false;
    const f = this.faults;
    const i = this.chunks;
    for (const stall of f.stalls) {
      if (stall.everyChunk ? i >= 1 : i === (stall.afterChunks ?? 1)) {
        await this.life.sleep(stall.ms);
        if (this.gone) return false;
      }
    }
    const due = (after: number | undefined) =>
      after === undefined ? isFinal : i === after || (isFinal && after > i);
    if (f.destroy !== undefined && due(f.destroy.afterChunks)) {
      this.destroy();
      return false;
    }
    if (f.errorLine !== undefined && due(f.errorLine.afterChunks)) {
      const text = f.errorLine.error ?? DEFAULT_STREAM_ERROR;
      this.cut = true;
      if (i === 0 && !this.res.headersSent) {
        // Before the first chunk the failure is an ordinary HTTP error (no charset, as in Ollama).
        const answer = this.dialect.streamStartError(text);
        this.res.statusCode = 500;
        this.res.setHeader('Content-Type', answer.type);
        await this.write(answer.body);
      } else {
        await this.write(this.midStreamError(text, f.errorLine.style));
      }
      this.end();
      return false;
    }
    if (f.endEarly !== undefined && due(f.endEarly.afterChunks)) {
      this.cut = true;
      this.end();
      return false;
    }
    await this.write(data);
    this.chunks++;
    if (isFinal) this.end();
    return !this.gone;
  }

  /**
   * What takes the place of the rest of a stream a fault breaks: Ollama's error line; on `/v1` the
   * empty chunk Ollama's OpenAI writer makes of it (the text is lost, then the stream ends with no
   * finish chunk and no [DONE]), unless the fault opts into an OpenAI error event.
   */
  private midStreamError(text: string, style: 'ollama' | 'openai' | undefined): string {
    if (this.dialect.name === 'openai' && style !== 'openai') return this.emptyEvent?.() ?? '';
    return this.dialect.streamError(text);
  }

  /** Writes bytes, split at the fault's offsets with a pause between the pieces. */
  async write(data: string | Buffer): Promise<void> {
    const split = this.faults.split;
    if (split === undefined) {
      const n = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      this.res.write(data);
      this.bytes += n;
      return;
    }
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const start = this.bytes;
    const end = start + buf.length;
    const cuts: number[] = [];
    for (const at of split.at) if (at > start && at < end) cuts.push(at);
    if (split.every > 0) {
      for (
        let at = (Math.floor(start / split.every) + 1) * split.every;
        at < end;
        at += split.every
      )
        cuts.push(at);
    }
    cuts.sort((a, b) => a - b);
    let from = start;
    for (const at of [...cuts, end]) {
      if (at <= from) continue;
      if (from > start || split.at.includes(start)) {
        await this.life.sleep(split.gapMs);
        if (this.gone) return;
      }
      this.res.write(buf.subarray(from - start, at - start));
      this.bytes += at - from;
      from = at;
    }
  }

  /** A cancellable pause (replay delays). */
  sleep(ms: number): Promise<void> {
    return this.life.sleep(ms);
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }

  destroy(): void {
    this.cut = true;
    this.res.socket?.destroy();
    this.res.destroy();
  }
}
