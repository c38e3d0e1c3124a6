import type { ServerResponse } from 'node:http';
import type { RequestFaults } from './fault-picker';
import { goJson } from './go-json';
import type { Life } from './life';
import { serveFixture } from './replay';
import { JSON_TYPE, type Responder } from './responder';

// The faults that decide a request before its endpoint runs, in this order: refuse, latency,
// replay, status. The stream faults (stall, split, error-line, ...) apply later, chunk by chunk.

const STATUS_TEXT: Record<number, string> = {
  500: 'model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details',
  503: 'server busy, please try again.  maximum pending requests exceeded',
  502: 'bad gateway',
  429: 'too many requests',
  404: 'not found',
  400: 'bad request',
};

/** Applies the leading faults; true when one of them answered (or ended) the request. */
export async function applyLeadingFaults(
  faults: RequestFaults,
  out: Responder,
  res: ServerResponse,
  life: Life,
  refuse: (ms: number) => void,
): Promise<boolean> {
  if (faults.refuse !== undefined) {
    out.destroy();
    refuse(faults.refuse.ms);
    return true;
  }
  if (faults.latencyMs > 0) {
    await life.sleep(faults.latencyMs);
    if (life.aborted) return true;
  }
  if (faults.replay !== undefined) {
    await serveFixture(faults.replay, out, res);
    return true;
  }
  const s = faults.status;
  if (s === undefined) return false;
  const type = s.contentType ?? JSON_TYPE;
  if (s.body !== undefined) await out.send(s.status, s.body, type);
  else
    await out.send(
      s.status,
      goJson({ error: s.error ?? STATUS_TEXT[s.status] ?? `status ${s.status}` }),
      type,
    );
  return true;
}
