import { BlobStore } from './blob-store';
import { goJson } from './go-json';
import { blobsOf } from './layers';
import { tagsEntry } from './model-json';
import { type NameParts, parseName } from './model-name';
import { fullModelName, type ResolvedModel } from './resolve-model';
import { type LoadedState, ModelRuntime } from './scheduler';

/** The lookup key of a model name: case-insensitive, `:latest` implied. */
export function modelKey(name: string): string {
  return fullModelName(name).toLowerCase();
}

/**
 * The local models (what `/api/tags` lists), the registry they can be pulled from, and the blobs
 * the server holds. Lookups are memoised because the hot path looks a model up on every request.
 */
export class ModelStore {
  private readonly byKey = new Map<string, ModelRuntime>();
  private readonly lookups = new Map<string, ModelRuntime | null>();
  /** Runners of deleted or replaced models, listed by `/api/ps` until they expire (as in Ollama). */
  private readonly retired = new Set<ModelRuntime>();
  private tags: string | undefined;
  /** Loads counted by runners no longer tracked (stats never go back). */
  private retiredLoads = 0;
  /** The models `/api/pull` can fetch (and `/api/push` sends to), by key. */
  readonly registry = new Map<string, ResolvedModel>();
  readonly blobs = new BlobStore();

  constructor(models: readonly ResolvedModel[], registry: readonly ResolvedModel[]) {
    for (const model of registry) this.registry.set(model.key, model);
    for (const model of models) {
      this.byKey.set(model.key, new ModelRuntime(model));
      this.keepBlobs(model);
    }
  }

  get runtimes(): ModelRuntime[] {
    return [...this.byKey.values()];
  }

  get loads(): number {
    let n = this.retiredLoads;
    for (const rt of this.byKey.values()) n += rt.loads;
    for (const rt of this.retired) n += rt.loads;
    return n;
  }

  find(name: string): ModelRuntime | undefined {
    const hit = this.lookups.get(name);
    if (hit !== undefined) return hit ?? undefined;
    const rt = this.byKey.get(modelKey(name));
    if (this.lookups.size < 1024) this.lookups.set(name, rt ?? null);
    return rt;
  }

  /**
   * A name with each part spelled the way a local model spells it (Ollama's getExistingName
   * compares host, namespace, model and tag one at a time, case-insensitively): how `/api/show`
   * names a model it does not have.
   */
  existingName(name: string): NameParts {
    const out = { ...parseName(name) };
    for (const rt of this.byKey.values()) {
      const have = parseName(rt.model.name);
      for (const part of ['host', 'namespace', 'model', 'tag'] as const)
        if (have[part].toLowerCase() === out[part].toLowerCase()) out[part] = have[part];
    }
    return out;
  }

  /** The loaded runners (local and retired), with their state, dropping retired ones that expired. */
  loaded(nowMs: number): { rt: ModelRuntime; state: LoadedState }[] {
    const out: { rt: ModelRuntime; state: LoadedState }[] = [];
    for (const rt of [...this.byKey.values(), ...this.retired]) {
      const state = rt.current(nowMs);
      if (state !== undefined) out.push({ rt, state });
      else if (rt.refs === 0 && this.retired.delete(rt)) this.retiredLoads += rt.loads;
    }
    return out;
  }

  /** Adds a model (a pull, a create, a copy), replacing one of the same name. */
  add(model: ResolvedModel): ModelRuntime {
    const old = this.byKey.get(model.key);
    if (old !== undefined) this.retire(old);
    const rt = new ModelRuntime(model);
    this.byKey.set(model.key, rt);
    this.keepBlobs(model);
    this.changed();
    return rt;
  }

  /** Deletes a model and the blobs no other local model uses (Ollama's `RemoveLayers`). */
  remove(rt: ModelRuntime): void {
    if (this.byKey.get(rt.model.key) !== rt) return;
    this.byKey.delete(rt.model.key);
    this.retire(rt);
    const used = new Set<string>();
    for (const other of this.byKey.values())
      for (const b of blobsOf(other.model)) used.add(b.digest);
    for (const blob of blobsOf(rt.model))
      if (!used.has(blob.digest)) this.blobs.delete(blob.digest);
    this.changed();
  }

  /** The `/api/tags` body, newest first. */
  tagsJson(): string {
    this.tags ??= goJson({
      models: this.runtimes
        .map((rt) => rt.model)
        .sort((a, b) => b.modifiedAtMs - a.modifiedAtMs)
        .map(tagsEntry),
    });
    return this.tags;
  }

  private retire(rt: ModelRuntime): void {
    if (rt.loaded !== undefined || rt.refs > 0) this.retired.add(rt);
    else this.retiredLoads += rt.loads;
  }

  private keepBlobs(model: ResolvedModel): void {
    for (const blob of blobsOf(model)) {
      if (!this.blobs.has(blob.digest))
        this.blobs.add(blob.digest, { size: blob.size, gguf: true });
    }
  }

  private changed(): void {
    this.lookups.clear();
    this.tags = undefined;
  }
}
