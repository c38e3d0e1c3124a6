import { getEncoding } from 'js-tiktoken';
import llama3Tokenizer from 'llama3-tokenizer-js';
import mistralTokenizer from 'mistral-tokenizer-js';
import type { Provider } from '../types';

const o200k = getEncoding('o200k_base');

/** The real tokenizers the estimates are held against, each with the provider that uses it. */
export const referenceTokenizers: {
  name: string;
  provider: Provider;
  count: (text: string) => number;
}[] = [
  { name: 'o200k_base', provider: 'openai', count: (t) => o200k.encode(t, [], []).length },
  {
    name: 'Llama 3',
    provider: 'ollama',
    count: (t) => llama3Tokenizer.encode(t, { bos: false, eos: false }).length,
  },
  {
    name: 'Mistral v1',
    provider: 'mistral',
    count: (t) => mistralTokenizer.encode(t, false, false).length,
  },
];
