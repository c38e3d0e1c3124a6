import { createHash } from 'node:crypto';
import { createOllamaProvider } from '@x/provider-ollama';
import { bold, dim, green, ms, type Out, shortDigests } from '../output';
import type { Target } from '../target';

const CREATED = 'demo-from-file';
const SIZE = 256 * 1024;

const kib = (bytes: number | undefined) =>
  bytes === undefined ? '? KiB' : `${(bytes / 1024).toFixed(0)} KiB`;

/**
 * A small file that passes for GGUF weights: the magic `GGUF`, then filler. The same bytes every
 * run, so a real server keeps at most one copy of it.
 */
function fakeGguf(): Uint8Array {
  const bytes = new Uint8Array(SIZE);
  bytes.set(new TextEncoder().encode('GGUF'));
  for (let i = 4; i < SIZE; i++) bytes[i] = (i * 31) & 0xff;
  return bytes;
}

export async function createStep(out: Out, target: Target): Promise<void> {
  out.explain(
    'A model from your own file: `pushBlob(bytes)` uploads it and resolves its digest (computed here',
    'with SHA-256), `hasBlob(digest)` asks the server whether it holds it, and `create({ files })`',
    'builds a model on it, with progress as for a pull. `deleteModel()` then leaves the server as found.',
  );
  // a provider of its own: the blob calls do not go through the main provider's rate limiter
  const provider = createOllamaProvider({ baseUrl: target.baseUrl });
  try {
    const bytes = fakeGguf();
    const expected = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const held = await provider.hasBlob(expected);
    out.line(
      `before: hasBlob(${shortDigests(expected)}) → ${held}${held ? dim(' (an earlier run uploaded it)') : ''}`,
    );
    const t0 = performance.now();
    const digest = await provider.pushBlob(bytes);
    out.line(
      `pushBlob(${kib(bytes.byteLength)}) → ${bold(shortDigests(digest))} in ${ms(performance.now() - t0)}`,
    );
    out.line(
      `after: hasBlob(${shortDigests(digest)}) → ${green(String(await provider.hasBlob(digest)))}`,
    );
    if (target.kind === 'ollama') {
      out.line(
        dim(
          '(a real Ollama parses the GGUF it is given, and this file only starts like one: create() runs against the simulator only;',
        ),
      );
      out.line(
        dim(
          ' the blob, used by no model, stays until Ollama prunes unused blobs at its next start)',
        ),
      );
      return;
    }
    let last: string | undefined;
    for await (const event of provider.create({
      model: CREATED,
      files: { 'model.gguf': digest },
    })) {
      last = event.status;
      if (last !== 'success') out.line(shortDigests(last));
    }
    const listed = (await provider.listModels()).find((m) => m.name.startsWith(`${CREATED}:`));
    out.line(
      `${green(last ?? '?')}: ${bold(listed?.name ?? `${CREATED} (not listed)`)} is now listed (${kib(listed?.size)})`,
    );
    await provider.deleteModel(CREATED);
    const gone = !(await provider.listModels()).some((m) => m.name.startsWith(`${CREATED}:`));
    const kept = await provider.hasBlob(digest);
    out.line(
      dim(
        `deleteModel('${CREATED}') → ${gone ? 'gone from the list' : 'still listed'}; hasBlob → ${kept}${kept ? '' : ' (no model used it any more)'}`,
      ),
    );
  } finally {
    await provider.close();
  }
}
