import type { OllamaProviderOptions } from '../options';
import { createOllamaProvider } from '../provider';

/** An address where nothing listens: a provider refused at construction never calls it. */
export const NOWHERE = 'http://127.0.0.1:9';

/** The error `createOllamaProvider` throws for these options (it must throw). */
export function refusal(options: Partial<Record<keyof OllamaProviderOptions, unknown>>): Error {
  try {
    createOllamaProvider({ baseUrl: NOWHERE, ...options } as OllamaProviderOptions);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected createOllamaProvider to throw');
}

/** The error `run` throws or rejects with (it must): a refusal made before anything is sent. */
export async function thrown(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
}
