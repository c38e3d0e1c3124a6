import { DIGEST_FORMAT } from '../blob-store';
import { type Exchange, type SimContext, sendError } from '../context';
import { goQuote } from '../go-json';

// `HEAD /api/blobs/:digest` (200 when the server holds the blob, 404 otherwise) and
// `POST /api/blobs/:digest` (201 once stored, 200 when already there, 400 when the bytes do not
// hash to the digest). Uploads are hashed as they stream in, never kept.

export async function blob(ctx: SimContext, ex: Exchange): Promise<void> {
  const { out, method, upload } = ex;
  const digest = ex.param ?? '';
  if (!DIGEST_FORMAT.test(digest)) return sendError(out, 400, 'invalid digest format');
  const { blobs } = ctx.store;
  if (method === 'HEAD') {
    if (blobs.has(digest)) return out.send(200, '', null);
    return sendError(out, 404, `blob ${goQuote(digest)} not found`);
  }
  if (blobs.has(digest)) return out.send(200, '', null);
  if (upload === undefined || upload.digest !== digest)
    return sendError(
      out,
      400,
      `digest mismatch, expected ${goQuote(digest)}, got ${goQuote(upload?.digest ?? '')}`,
    );
  blobs.add(digest, { size: upload.size, gguf: upload.gguf });
  return out.send(201, '', null);
}
