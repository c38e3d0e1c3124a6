import { createHash } from 'node:crypto';
import { goJson } from './go-json';
import { templateOf } from './model-json';
import type { ResolvedModel } from './resolve-model';

/** One blob of a model's manifest. */
export interface Layer {
  readonly mediaType: string;
  /** `sha256:<64 hex>`. */
  readonly digest: string;
  readonly size: number;
}

export const MEDIA = {
  model: 'application/vnd.ollama.image.model',
  adapter: 'application/vnd.ollama.image.adapter',
  draft: 'application/vnd.ollama.image.draft',
  template: 'application/vnd.ollama.image.template',
  system: 'application/vnd.ollama.image.system',
  license: 'application/vnd.ollama.image.license',
  params: 'application/vnd.ollama.image.params',
  messages: 'application/vnd.ollama.image.messages',
  config: 'application/vnd.docker.container.image.v1+json',
} as const;

/** The layer of a text blob: its real sha256 and length, as Ollama's `NewLayer` computes them. */
function textLayer(mediaType: string, text: string): Layer {
  const bytes = Buffer.from(text, 'utf8');
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  return { mediaType, digest, size: bytes.length };
}

/** The Modelfile parameters a model's params blob holds (`num_ctx`, `stop`, then the others). */
function paramsOf(m: ResolvedModel): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (m.numCtx !== undefined) params.num_ctx = m.numCtx;
  if (m.stop.length > 0) params.stop = m.stop;
  for (const [key, value] of Object.entries(m.parameters)) {
    Object.defineProperty(params, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return params;
}

const cache = new WeakMap<ResolvedModel, { layers: Layer[]; config: Layer }>();

function build(m: ResolvedModel): { layers: Layer[]; config: Layer } {
  const layers: Layer[] = [{ mediaType: MEDIA.model, ...m.weights }, ...m.adapters];
  if (m.draft !== undefined) layers.push(m.draft);
  layers.push(textLayer(MEDIA.template, templateOf(m)));
  if (m.system !== undefined) layers.push(textLayer(MEDIA.system, m.system));
  if (m.license !== undefined) layers.push(textLayer(MEDIA.license, m.license));
  const params = paramsOf(m);
  if (Object.keys(params).length > 0) layers.push(textLayer(MEDIA.params, `${goJson(params)}\n`));
  if (m.messages !== undefined) layers.push(textLayer(MEDIA.messages, `${goJson(m.messages)}\n`));
  const config = textLayer(
    MEDIA.config,
    `${goJson({
      model_format: 'gguf',
      model_family: m.family,
      model_families: [m.family],
      model_type: m.parameterSize,
      file_type: m.quantizationLevel,
      renderer: m.renderer || undefined,
      parser: m.parser || undefined,
      requires: m.requires || undefined,
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    })}\n`,
  );
  return { layers, config };
}

/** A model's manifest layers, weights first (the config blob apart). */
export function layersOf(m: ResolvedModel): readonly Layer[] {
  let built = cache.get(m);
  if (built === undefined) {
    built = build(m);
    cache.set(m, built);
  }
  return built.layers;
}

/** A model's layers followed by its config blob: what a pull downloads and a push uploads. */
export function blobsOf(m: ResolvedModel): readonly Layer[] {
  layersOf(m);
  const built = cache.get(m)!;
  return [...built.layers, built.config];
}
