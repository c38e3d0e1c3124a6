import { isPlainObject } from '@x/internal';
import { DIGEST_FORMAT } from '../blob-store';
import { type Exchange, type Json, type SimContext, sendError } from '../context';
import { type Layer, layersOf, MEDIA } from '../layers';
import { isValidName } from '../model-name';
import { modelKey } from '../model-store';
import { fullModelName, hexDigest, type ResolvedModel, resolveModel } from '../resolve-model';
import { CREATE_FIELDS, checkFields, checkStringMap } from '../validate';
import { Progress, TICK_MS } from './progress';
import { pullModel } from './pull-push';

// `/api/create` as Ollama's current API takes it: `from` a model (pulled first when it is not
// local) or `files` (GGUF blobs uploaded with `POST /api/blobs/:digest`), plus `adapters`,
// `draft_files`, `template`, `system`, `license`, `parameters`, `messages`, `renderer`, `parser`,
// `requires` and `quantize`.

const FULL_PRECISION = ['F16', 'BF16', 'F32'];

/** Go's `fs.ValidPath`: relative, slash-separated, no `.`/`..`/empty element (`.` alone is valid). */
function validPath(path: string): boolean {
  if (path === '.') return true;
  return path !== '' && path.split('/').every((e) => e !== '' && e !== '.' && e !== '..');
}

/** The maps of uploaded blobs, in the order CreateHandler checks them. */
const BLOB_MAPS = ['files', 'draft_files', 'adapters'] as const;

/** The request checks Ollama makes before it starts streaming: a 400 text, or undefined. */
function checkRequest(body: Json): string | undefined {
  for (const field of BLOB_MAPS) {
    const bad = checkStringMap(body[field], 'CreateRequest', field);
    if (bad !== undefined) return bad;
  }
  for (const field of BLOB_MAPS) {
    const map = body[field];
    if (isPlainObject(map)) {
      for (const [path, digest] of Object.entries(map)) {
        if (field !== 'adapters' && !validPath(path)) return 'file path must be relative';
        if (digest === '' || digest === null) return 'invalid digest format';
      }
    }
    // Checked once the draft files are, before the adapters.
    if (
      field === 'draft_files' &&
      body.draft_quantize &&
      !(isPlainObject(map) && Object.keys(map).length > 0)
    )
      return '--draft-quantize requires a DRAFT model';
  }
  const name = (body.model as string | undefined) || (body.name as string | undefined) || '';
  return isValidName(name) ? undefined : 'invalid model name';
}

/** Ollama's errOnlyGGUFSupported, for a blob that does not start with the GGUF magic. */
const NOT_GGUF = 'supplied file was not in GGUF format';

/** Where the real server keeps a blob, as its `open` errors name it. */
const blobPath = (digest: string) =>
  `/usr/share/ollama/.ollama/models/blobs/${digest.replace(':', '-')}`;

/**
 * The uploaded blobs a `files`/`adapters` map names, as layers; or the error it ended with (sent
 * already). As Ollama does: GGUF files (a `.gguf` path, or a blob that is one) are read one by
 * one in path order, each announced by a `parsing GGUF` line before its blob is opened, so a bad
 * digest, a missing blob or one without the GGUF magic is an error line of a 200 stream (an HTTP
 * status when not streamed); a map of neither kind is refused before anything is sent
 * (`unknown type`, 400).
 */
async function uploadedLayers(
  ctx: SimContext,
  progress: Progress,
  map: Record<string, unknown>,
  mediaType: string,
): Promise<Layer[] | undefined> {
  const paths = Object.keys(map).sort();
  const isGguf = (path: string) => {
    const digest = String(map[path]);
    return DIGEST_FORMAT.test(digest) && ctx.store.blobs.get(digest)?.gguf === true;
  };
  // detectModelTypeFromFiles finds no type in an empty map (files and adapters are counted first).
  if (paths.length === 0 || (!paths.some((p) => p.endsWith('.gguf')) && !paths.every(isGguf))) {
    return void (await progress.fail('unknown type', 400));
  }
  // CreateHandler answers every error of a draft's conversion with 400, a model's with 500.
  const status = mediaType === MEDIA.draft ? 400 : 500;
  const layers: Layer[] = [];
  for (const path of paths) {
    if (!(await progress.line({ status: 'parsing GGUF' }))) return undefined;
    const digest = String(map[path]);
    if (!DIGEST_FORMAT.test(digest))
      return void (await progress.fail('invalid digest format', status));
    const blob = ctx.store.blobs.get(digest);
    if (blob === undefined) {
      const error = `open ${blobPath(digest)}: no such file or directory`;
      return void (await progress.fail(error, status));
    }
    // ggufLayers reads the blob's magic before decoding it: a `.gguf` name is not enough, and
    // CreateHandler answers errOnlyGGUFSupported with 400 for files, drafts and adapters alike.
    if (!blob.gguf) return void (await progress.fail(NOT_GGUF, 400));
    layers.push({ mediaType, digest: `sha256:${digest.slice(7)}`, size: blob.size });
  }
  return layers;
}

/** The model to build on: the `from` model (pulled if needed) or a new one from GGUF files. */
async function baseModel(
  ctx: SimContext,
  ex: Exchange,
  progress: Progress,
  name: string,
): Promise<ResolvedModel | undefined> {
  const { from, files } = ex.body;
  if (typeof from === 'string' && from !== '') {
    if (!isValidName(from)) return void (await progress.fail('invalid model name', 400));
    return ctx.store.find(from)?.model ?? pullModel(ctx, ex, progress, from);
  }
  if (isPlainObject(files)) {
    if (Object.keys(files).length === 0) {
      return void (await progress.fail('no files provided to convert', 400));
    }
    const layers = await uploadedLayers(ctx, progress, files, MEDIA.model);
    if (layers === undefined) return undefined;
    const model = resolveModel({ name }, 'model', ctx.opts);
    const weights = layers[0]!;
    return {
      ...model,
      weights: { digest: weights.digest, size: weights.size },
      size: weights.size,
    };
  }
  return void (await progress.fail("neither 'from' or 'files' was specified", 400));
}

/** Modelfile parameters: `num_ctx` and `stop` become the model's own, the rest is kept as is. */
function applyParameters(base: ResolvedModel, parameters: unknown): Partial<ResolvedModel> {
  if (!isPlainObject(parameters)) return {};
  const rest: Record<string, unknown> = { ...base.parameters };
  let numCtx = base.numCtx;
  let stop = base.stop;
  for (const [key, value] of Object.entries(parameters)) {
    if (key === 'num_ctx' && typeof value === 'number' && Number.isInteger(value) && value > 0)
      numCtx = value;
    else if (key === 'stop' && (typeof value === 'string' || Array.isArray(value)))
      stop = (Array.isArray(value) ? value : [value]).map(String);
    else
      Object.defineProperty(rest, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return { numCtx, stop, parameters: rest };
}

/** `quantize`: only a full-precision model can be quantized; progress paced like a transfer. */
async function quantize(
  ctx: SimContext,
  ex: Exchange,
  progress: Progress,
  base: ResolvedModel,
  type: string,
): Promise<Partial<ResolvedModel> | undefined> {
  if (!FULL_PRECISION.includes(base.quantizationLevel)) {
    await progress.fail('quantization is only supported for F16, BF16 and F32 models');
    return undefined;
  }
  const status = `quantizing ${base.quantizationLevel} model to ${type}`;
  const total = base.weights.size;
  const rate = ctx.opts.transferBytesPerSecond;
  const step = Number.isFinite(rate) ? Math.max(1, Math.floor((rate * TICK_MS) / 1000)) : total;
  const digest = '0000000000000000000';
  for (let done = 0; done < total; ) {
    if (done > 0) {
      await ex.life.sleep(TICK_MS);
      if (progress.over) return undefined;
    }
    done = Math.min(total, done + step);
    if (!(await progress.line({ status, digest, total, completed: done }))) return undefined;
  }
  const weights = {
    digest: `sha256:${hexDigest(`${base.weights.digest}\u0000${type}`)}`,
    size: total,
  };
  return { quantizationLevel: type, weights };
}

export async function create(ctx: SimContext, ex: Exchange): Promise<void> {
  const { body, out } = ex;
  const bad = checkFields(body, CREATE_FIELDS, 'CreateRequest', undefined) ?? checkRequest(body);
  if (bad !== undefined) return sendError(out, 400, bad);
  const name = fullModelName((body.model as string | undefined) || (body.name as string));
  const progress = new Progress(ex);
  const base = await baseModel(ctx, ex, progress, name);
  if (base === undefined) return;
  let draftLayer = base.draft;
  if (isPlainObject(body.draft_files)) {
    // The draft is converted before the adapters; `draft_quantize` is taken but not simulated.
    const layers = await uploadedLayers(ctx, progress, body.draft_files, MEDIA.draft);
    if (layers === undefined) return;
    draftLayer = layers[0];
  }
  let adapters: readonly Layer[] = base.adapters;
  if (isPlainObject(body.adapters)) {
    // counted before any blob is read, as Ollama does
    const count = Object.keys(body.adapters).length;
    if (count === 0) return progress.fail('no files provided to convert', 400);
    if (count > 1) return progress.fail('only one adapter is currently supported', 400);
    const layers = await uploadedLayers(ctx, progress, body.adapters, MEDIA.adapter);
    if (layers === undefined) return;
    adapters = layers;
  }
  const type = ((body.quantize || body.quantization || '') as string).toUpperCase();
  const quantized = type === '' ? {} : await quantize(ctx, ex, progress, base, type);
  if (quantized === undefined) return;
  const license = Array.isArray(body.license) ? body.license.map(String).join('\n') : body.license;
  const from = typeof body.from === 'string' && body.from !== '' ? fullModelName(body.from) : '';
  const made: ResolvedModel = {
    ...base,
    ...applyParameters(base, body.parameters),
    ...quantized,
    name,
    key: modelKey(name),
    modifiedAtMs: Date.now(),
    template: (body.template as string | undefined) || base.template,
    system: (body.system as string | undefined) || base.system,
    license: typeof license === 'string' && license !== '' ? license : base.license,
    messages:
      Array.isArray(body.messages) && body.messages.length > 0 ? body.messages : base.messages,
    adapters,
    parentModel: from === name ? base.parentModel : from,
    draft: draftLayer,
    // The request's, else those of the `from` model's config.
    renderer: (body.renderer as string | undefined) || base.renderer,
    parser: (body.parser as string | undefined) || base.parser,
    requires: (body.requires as string | undefined) || base.requires,
  };
  const layers = layersOf(made);
  const model = { ...made, digest: hexDigest(layers.map((l) => l.digest).join()) };
  for (const layer of layers) {
    const verb = ctx.store.blobs.has(layer.digest) ? 'using existing layer' : 'creating new layer';
    if (!(await progress.line({ status: `${verb} ${layer.digest}` }))) return;
  }
  if (!(await progress.line({ status: 'writing manifest' }))) return;
  ctx.store.add(model);
  await progress.success();
}
