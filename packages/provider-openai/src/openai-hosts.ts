import { openAIPresets } from './presets';

/** The host of OpenAI's own API, from the `openai` preset's address (one copy of it). */
const OPENAI_HOST = new URL(openAIPresets.openai.baseUrl).hostname;

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
 * The host of a base URL (as `normaliseBaseUrl` returns it) the way both checks below compare
 * it: as `URL` reads it (lowercase), without the trailing dot of a fully-qualified name.
 */
function hostOf(baseUrl: string): string {
  return new URL(baseUrl).hostname.replace(/\.$/, '');
}

/**
 * The base URL is OpenAI's own API: api.openai.com or one of its regional hosts
 * (`eu.api.openai.com`, data residency), whatever its scheme, port or path.
 */
export function isOpenAIHost(baseUrl: string): boolean {
  const host = hostOf(baseUrl);
  return host === OPENAI_HOST || host.endsWith(`.${OPENAI_HOST}`);
}

/** The base URL is one of Azure's OpenAI endpoints ({@link AZURE_OPENAI}), which serve OpenAI's models. */
export function isAzureOpenAIHost(baseUrl: string): boolean {
  const host = hostOf(baseUrl);
  return AZURE_OPENAI.some((suffix) => host.endsWith(suffix));
}
