import { ANY_EMBEDDING_INPUT, type OpenAIPreset } from './presets';

/**
 * The hosts of Azure's OpenAI endpoints: Azure OpenAI in the public, US Government and China
 * clouds, and the AI Services / Foundry resources that serve the same `/openai/v1` API.
 */
const AZURE_OPENAI = [
  '.openai.azure.com',
  '.openai.azure.us',
  '.openai.azure.cn',
  '.cognitiveservices.azure.com',
  '.services.ai.azure.com',
] as const;

/**
 * The `openai` preset where requests go to another server (a gateway: LiteLLM, OpenRouter; vLLM,
 * an Ollama `/v1`): what OpenAI's API refuses of files (all but PDFs) and of embeddings input (an
 * empty text, more than 2048 items) is left to that server, as on a custom preset that extends
 * none; the gateway may route to a model that takes them. `maxTokens` goes as `max_tokens`, the
 * field OpenAI-compatible servers read: `max_completion_tokens` is OpenAI's newer name, which
 * Ollama's `/v1` drops unread (its `ChatCompletionRequest`, `openai/openai.go`, has no such
 * field), so the limit would be lost without a word. Azure's OpenAI endpoints ({@link AZURE_OPENAI})
 * serve OpenAI's models, whose o-series and gpt-5 refuse `max_tokens`: they keep OpenAI's name.
 * `stop` and function names follow `openAIServer` directly.
 */
export function atGateway(preset: OpenAIPreset, label: string, baseUrl: string): OpenAIPreset {
  const host = new URL(baseUrl).hostname.replace(/\.$/, '');
  const azure = AZURE_OPENAI.some((suffix) => host.endsWith(suffix));
  const maxTokensField = azure ? preset.maxTokensField : 'max_tokens';
  return Object.freeze({
    ...preset,
    label,
    maxTokensField,
    fileTypes: undefined,
    embeddingInput: ANY_EMBEDDING_INPUT,
  });
}

/**
 * The name in messages of the `openai` preset pointed at another server (vLLM, an Ollama `/v1`, a
 * gateway): "OpenAI" would send the user to the wrong server (`Could not reach OpenAI at
 * http://127.0.0.1:11499`). The `name` option when it is one (the core refuses any other before a
 * message can be built), else the host and port, which hold no credentials or query (a `baseUrl`
 * with either is refused).
 */
export function gatewayLabel(baseUrl: string, name: unknown): string {
  return typeof name === 'string' && name.trim() !== '' ? name : new URL(baseUrl).host;
}
