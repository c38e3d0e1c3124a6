import { readFileSync } from 'node:fs';

export interface Sample {
  id: string;
  kind: 'prose' | 'code' | 'json' | 'cjk' | 'multilingual' | 'markdown';
  text: string;
}

/** The mixed corpus built by bench/corpus/generate.ts. */
export const corpus: Sample[] = JSON.parse(
  readFileSync(new URL('./corpus.json', import.meta.url), 'utf8'),
);
