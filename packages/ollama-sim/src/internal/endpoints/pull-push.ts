import { type Exchange, type SimContext, sendError } from '../context';
import { blobsOf } from '../layers';
import { isValidName, parseName } from '../model-name';
import { modelKey } from '../model-store';
import type { ResolvedModel } from '../resolve-model';
import { checkFields, PULL_FIELDS, PUSH_FIELDS } from '../validate';
import { Progress, transfer } from './progress';

// `/api/pull` and `/api/push` against the simulator's registry (the `registry` option): layer by
// layer progress paced by `transferBytesPerSecond`. A pull whose client leaves stops, keeps what it
// downloaded for the next pull (which resumes), and adds no model.

const MISSING_MANIFEST = 'pull model manifest: file does not exist';

/** The manifest path Ollama would fail to open for a model it does not have. */
function manifestPath(name: string): string {
  const { host, namespace, model, tag } = parseName(name);
  return `/usr/share/ollama/.ollama/models/manifests/${host}/${namespace}/${model}/${tag}`;
}

/** The name a request gives (`model`, or the deprecated `name` ollama-js still sends). */
function nameOf(ex: Exchange): string {
  const { model, name } = ex.body;
  return (typeof model === 'string' && model) || (typeof name === 'string' && name) || '';
}

/**
 * Downloads a registry model's blobs and installs it (what a pull, and a create `from` a model
 * that is not local, do). Undefined when it stopped (client gone, fault) or answered an error.
 */
export async function pullModel(
  ctx: SimContext,
  ex: Exchange,
  progress: Progress,
  name: string,
): Promise<ResolvedModel | undefined> {
  if (!(await progress.line({ status: 'pulling manifest' }))) return undefined;
  const remote = ctx.store.registry.get(modelKey(name));
  if (remote === undefined) {
    await progress.fail(MISSING_MANIFEST);
    return undefined;
  }
  const { blobs } = ctx.store;
  for (const layer of blobsOf(remote)) {
    const have = blobs.has(layer.digest) ? layer.size : blobs.downloaded(layer.digest);
    const done = await transfer(ctx, ex, progress, 'pulling', layer, have);
    if (done < layer.size) {
      blobs.keepPartial(layer.digest, done);
      return undefined;
    }
    blobs.add(layer.digest, { size: layer.size, gguf: true });
  }
  if (!(await progress.line({ status: 'verifying sha256 digest' }))) return undefined;
  if (!(await progress.line({ status: 'writing manifest' }))) return undefined;
  const local = ctx.store.find(remote.name);
  // The same manifest again changes nothing (a loaded runner stays loaded).
  if (local?.model.digest === remote.digest) return local.model;
  const installed = { ...remote, modifiedAtMs: Date.now() };
  ctx.store.add(installed);
  return installed;
}

export async function pull(ctx: SimContext, ex: Exchange): Promise<void> {
  const bad = checkFields(ex.body, PULL_FIELDS, 'PullRequest', undefined);
  if (bad !== undefined) return sendError(ex.out, 400, bad);
  const name = nameOf(ex);
  if (!isValidName(name)) return sendError(ex.out, 400, 'invalid model name');
  const progress = new Progress(ex);
  if ((await pullModel(ctx, ex, progress, name)) !== undefined) await progress.success();
}

export async function push(ctx: SimContext, ex: Exchange): Promise<void> {
  const bad = checkFields(ex.body, PUSH_FIELDS, 'PushRequest', undefined);
  if (bad !== undefined) return sendError(ex.out, 400, bad);
  const name = nameOf(ex);
  if (name === '') return sendError(ex.out, 400, 'model is required');
  const progress = new Progress(ex);
  if (!(await progress.line({ status: 'retrieving manifest' }))) return;
  const rt = ctx.store.find(name);
  if (rt === undefined || !isValidName(name)) {
    if (!(await progress.line({ status: "couldn't retrieve manifest" }))) return;
    return progress.fail(`open ${manifestPath(name)}: no such file or directory`);
  }
  for (const layer of blobsOf(rt.model)) {
    const done = await transfer(ctx, ex, progress, 'pushing', layer);
    if (done < layer.size) return;
  }
  if (!(await progress.line({ status: 'pushing manifest' }))) return;
  ctx.store.registry.set(rt.model.key, rt.model);
  await progress.success();
}
