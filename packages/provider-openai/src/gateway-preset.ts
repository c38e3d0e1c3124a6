import { isAzureOpenAIHost } from './openai-hosts';
import { ANY_EMBEDDING_INPUT, type OpenAIPreset } from './presets';

/**
 * The `openai` preset where requests go to another server (a gateway: LiteLLM, OpenRouter; vLLM,
 * an Ollama `/v1`): what OpenAI's API refuses of files (all but PDFs) and of embeddings input (an
 * empty text, more than 2048 items) is left to that server, as on a custom preset that extends
 * none; the gateway may route to a model that takes them. `maxTokens` goes as `max_tokens`, the
 * field OpenAI-compatible servers read: `max_completion_tokens` is OpenAI's newer name, which
 * Ollama's `/v1` drops unread (its `ChatCompletionRequest`, `openai/openai.go`, has no such
 * field), so the limit would be lost without a word. A `developer` message goes as `system`, the
 * role every such server knows (Ollama's `/v1` drops a message of a role it does not know, without
 * an error; OpenAI reads `system` as `developer` for the models that have it). Azure's OpenAI
 * endpoints ({@link isAzureOpenAIHost}) serve OpenAI's models, whose o-series and gpt-5 refuse
 * `max_tokens` and take `developer`: they keep OpenAI's dialect for both. `stop` and function
 * names follow `openAIServer` directly.
 */
export function atGateway(preset: OpenAIPreset, label: string, baseUrl: string): OpenAIPreset {
  const azure = isAzureOpenAIHost(baseUrl);
  return Object.freeze({
    ...preset,
    label,
    maxTokensField: azure ? preset.maxTokensField : 'max_tokens',
    developerRole: azure ? preset.developerRole : 'system',
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
