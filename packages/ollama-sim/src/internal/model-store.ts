import { goJson } from './go-json';
import { tagsEntry } from './model-json';
import { fullModelName, type ResolvedModel } from './resolve-model';
import { ModelRuntime } from './scheduler';

/**
 * The local models (what `/api/tags` lists): case-insensitive lookup with `:latest` implied,
 * memoised because the hot path looks a model up on every request.
 */
export class ModelStore {
  private readonly byKey = new Map<string, ModelRuntime>();
  private readonly lookups = new Map<string, ModelRuntime | null>();
  private tags: string | undefined;
  /** Loads counted by models that were deleted or replaced since (stats never go back). */
  private retiredLoads = 0;

  constructor(models: readonly ResolvedModel[]) {
    for (const model of models) this.byKey.set(model.key, new ModelRuntime(model));
  }

  get runtimes(): ModelRuntime[] {
    return [...this.byKey.values()];
  }

  get loads(): number {
    let n = this.retiredLoads;
    for (const rt of this.byKey.values()) n += rt.loads;
    return n;
  }

  find(name: string): ModelRuntime | undefined {
    const hit = this.lookups.get(name);
    if (hit !== undefined) return hit ?? undefined;
    const rt = this.byKey.get(fullModelName(name).toLowerCase());
    if (this.lookups.size < 1024) this.lookups.set(name, rt ?? null);
    return rt;
  }

  /** Adds a model, replacing one of the same name (as a pull or create over it does). */
  add(model: ResolvedModel): ModelRuntime {
    const old = this.byKey.get(model.key);
    if (old !== undefined) this.retiredLoads += old.loads;
    const rt = new ModelRuntime(model);
    this.byKey.set(model.key, rt);
    this.changed();
    return rt;
  }

  remove(rt: ModelRuntime): void {
    if (this.byKey.get(rt.model.key) !== rt) return;
    this.byKey.delete(rt.model.key);
    this.retiredLoads += rt.loads;
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

  private changed(): void {
    this.lookups.clear();
    this.tags = undefined;
  }
}
