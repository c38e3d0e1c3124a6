import { goJson } from './go-json';
import { goTimeLocal } from './go-time';
import type { ResolvedModel } from './resolve-model';

const LLAMA_TEMPLATE =
  '<|start_header_id|>system<|end_header_id|>\n\n{{ if .System }}{{ .System }}{{ end }}<|eot_id|>\n' +
  '{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>{{ end }}' +
  '<|start_header_id|>assistant<|end_header_id|>\n\n';

/** The chat template a model applies (its own, or a default for its kind). */
export function templateOf(m: ResolvedModel): string {
  return m.template ?? (m.capabilities.includes('embedding') ? '{{ .Prompt }}' : LLAMA_TEMPLATE);
}

function details(m: ResolvedModel, route: 'tags' | 'ps'): Record<string, unknown> {
  const withLengths = route === 'tags';
  return {
    // PsHandler builds the details of a loaded model without it: always "" in /api/ps.
    parent_model: route === 'tags' ? m.parentModel : '',
    format: 'gguf',
    family: m.family,
    families: [m.family],
    parameter_size: m.parameterSize,
    quantization_level: m.quantizationLevel,
    context_length: withLengths ? m.contextLength : undefined,
    embedding_length: withLengths ? m.embeddingLength : undefined,
  };
}

/** One `/api/tags` entry (0.30+ shape, with capabilities and trained lengths). */
export function tagsEntry(m: ResolvedModel): Record<string, unknown> {
  return {
    name: m.name,
    model: m.name,
    modified_at: goTimeLocal(m.modifiedAtMs),
    size: m.size,
    digest: m.digest,
    details: details(m, 'tags'),
    capabilities: m.capabilities.length > 0 ? m.capabilities : undefined,
  };
}

/** One `/api/ps` entry for a loaded runner. */
export function psEntry(
  m: ResolvedModel,
  loaded: { numCtx: number; expiresAtMs: number; sizeVram: number },
): Record<string, unknown> {
  // keep_alive < 0 keeps a model forever; Go adds MaxInt64 ns (~292 years) to now.
  const expires = Number.isFinite(loaded.expiresAtMs)
    ? loaded.expiresAtMs
    : Date.now() + 9_223_372_036_854;
  return {
    name: m.name,
    model: m.name,
    size: loaded.sizeVram,
    digest: m.digest,
    details: details(m, 'ps'),
    expires_at: goTimeLocal(expires),
    size_vram: loaded.sizeVram,
    context_length: loaded.numCtx,
  };
}

/** Memory a runner takes: weights plus a KV cache that grows with the window. */
export function runnerSize(m: ResolvedModel, numCtx: number): number {
  return Math.round(m.size * 1.15) + numCtx * Math.max(1024, m.embeddingLength * 40);
}

function tensors(m: ResolvedModel): { name: string; type: string; shape: number[] }[] {
  if (m.capabilities.includes('embedding')) {
    const out = [{ name: 'token_embd.weight', type: 'F16', shape: [m.embeddingLength, 30522] }];
    for (let b = 0; b < 12; b++) {
      for (const t of ['attn_output', 'attn_qkv', 'ffn_down', 'ffn_up'])
        out.push({
          name: `blk.${b}.${t}.weight`,
          type: 'F16',
          shape: [m.embeddingLength, m.embeddingLength],
        });
    }
    return out;
  }
  const h = m.embeddingLength;
  const ff = Math.round((h * 8) / 3 / 256) * 256;
  const kv = Math.max(128, Math.round(h / 3));
  const blocks = Math.max(4, Math.round(m.size / 7.2e7));
  const out = [
    { name: 'output_norm.weight', type: 'F32', shape: [h] },
    { name: 'rope_freqs.weight', type: 'F32', shape: [64] },
    { name: 'token_embd.weight', type: 'Q6_K', shape: [h, 128256] },
  ];
  for (let b = 0; b < blocks; b++) {
    out.push(
      { name: `blk.${b}.attn_k.weight`, type: 'Q4_K', shape: [h, kv] },
      { name: `blk.${b}.attn_norm.weight`, type: 'F32', shape: [h] },
      { name: `blk.${b}.attn_output.weight`, type: 'Q4_K', shape: [h, h] },
      { name: `blk.${b}.attn_q.weight`, type: 'Q4_K', shape: [h, h] },
      { name: `blk.${b}.attn_v.weight`, type: 'Q6_K', shape: [h, kv] },
      { name: `blk.${b}.ffn_down.weight`, type: 'Q6_K', shape: [ff, h] },
      { name: `blk.${b}.ffn_gate.weight`, type: 'Q4_K', shape: [h, ff] },
      { name: `blk.${b}.ffn_norm.weight`, type: 'F32', shape: [h] },
      { name: `blk.${b}.ffn_up.weight`, type: 'Q4_K', shape: [h, ff] },
    );
  }
  return out;
}

/** Go's `%#v` of a parameter value: strings quoted, numbers and booleans bare. */
function goValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The `parameters` text and the Modelfile PARAMETER lines of a model. */
function parameterLines(m: ResolvedModel): { shown: string[]; modelfile: string[] } {
  const shown: string[] = [];
  const modelfile: string[] = [];
  const add = (key: string, value: unknown) => {
    shown.push(`${key.padEnd(30)} ${goValue(value)}`);
    modelfile.push(`PARAMETER ${key} ${modelfileQuote(String(value))}\n`);
  };
  if (m.numCtx !== undefined) add('num_ctx', m.numCtx);
  for (const s of m.stop) add('stop', s);
  for (const [key, value] of Object.entries(m.parameters)) {
    for (const v of Array.isArray(value) ? value : [value]) add(key, v);
  }
  return { shown, modelfile };
}

/**
 * parser.quote (parser/parser.go), which Ollama applies to every command's text but FROM's:
 * bare, or quoted when the value has a newline or edge spaces (`"""` only when it holds a quote,
 * as the recorded llama3.2 template and license do).
 */
function modelfileQuote(s: string): string {
  if (!s.includes('\n') && !s.startsWith(' ') && !s.endsWith(' ')) return s;
  return s.includes('"') ? `"""${s}"""` : `"${s}"`;
}

/**
 * GetModelInfo rebuilds each stored message as api.Message{Role, Content}: images, thinking and
 * tool calls are dropped, and api.Message lowered the role when create decoded it.
 */
function shownMessages(
  messages: readonly unknown[] | undefined,
): { role: string; content: string }[] | undefined {
  if (messages === undefined || messages.length === 0) return undefined;
  return messages.map((message) => {
    const { role, content } = (message ?? {}) as { role?: unknown; content?: unknown };
    return {
      role: typeof role === 'string' ? role.toLowerCase() : '',
      content: typeof content === 'string' ? content : '',
    };
  });
}

/** The `/api/show` body (serialised once per model: it is ~20 KB with the tensor list). */
export function showBody(m: ResolvedModel): string {
  const arch = m.architecture;
  const isEmbedding = m.capabilities.includes('embedding');
  const template = templateOf(m);
  const params = parameterLines(m);
  const messages = shownMessages(m.messages);
  const info: Record<string, unknown> = {
    'general.architecture': arch,
    'general.file_type': 15,
    'general.parameter_count': Math.round(m.size / 0.6),
    'general.quantization_version': 2,
    'general.type': 'model',
    [`${arch}.attention.head_count`]: Math.max(1, Math.round(m.embeddingLength / 128)),
    [`${arch}.block_count`]: isEmbedding ? 12 : Math.max(4, Math.round(m.size / 7.2e7)),
    [`${arch}.context_length`]: m.contextLength,
    [`${arch}.embedding_length`]: m.embeddingLength,
    'tokenizer.ggml.merges': null,
    'tokenizer.ggml.model': isEmbedding ? 'bert' : 'gpt2',
    'tokenizer.ggml.token_type': null,
    'tokenizer.ggml.tokens': null,
  };
  const sortedInfo: Record<string, unknown> = {};
  for (const key of Object.keys(info).sort()) sortedInfo[key] = info[key];
  const blob = (digest: string) =>
    `/usr/share/ollama/.ollama/models/blobs/${digest.replace(':', '-')}`;
  const modelfile =
    `# Modelfile generated by "ollama show"\n# To build a new Modelfile based on this, replace FROM with:\n# FROM ${m.name}\n\n` +
    `FROM ${blob(m.weights.digest)}\n` +
    m.adapters.map((a) => `ADAPTER ${blob(a.digest)}\n`).join('') +
    (m.draft !== undefined ? `DRAFT ${blob(m.draft.digest)}\n` : '') +
    `TEMPLATE ${modelfileQuote(template)}\n` +
    (m.system !== undefined ? `SYSTEM ${modelfileQuote(m.system)}\n` : '') +
    (m.renderer ? `RENDERER ${modelfileQuote(m.renderer)}\n` : '') +
    (m.parser ? `PARSER ${modelfileQuote(m.parser)}\n` : '') +
    params.modelfile.join('') +
    (m.license !== undefined ? `LICENSE ${modelfileQuote(m.license)}\n` : '') +
    // Model.String() (server/images.go) ends with one MESSAGE line per stored message.
    (messages ?? [])
      .map(({ role, content }) => `MESSAGE ${role} ${modelfileQuote(content)}\n`)
      .join('');
  return goJson({
    license: m.license,
    modelfile,
    parameters: params.shown.length > 0 ? params.shown.join('\n') : undefined,
    template,
    system: m.system,
    details: {
      parent_model: m.parentModel,
      format: 'gguf',
      family: m.family,
      families: [m.family],
      parameter_size: m.parameterSize,
      quantization_level: m.quantizationLevel,
    },
    messages,
    model_info: sortedInfo,
    tensors: tensors(m),
    capabilities: m.capabilities.length > 0 ? m.capabilities : undefined,
    modified_at: goTimeLocal(m.modifiedAtMs),
    requires: m.requires || undefined,
  });
}
