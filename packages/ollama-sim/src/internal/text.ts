import { createRandom, type Random } from '@x/internal';

// A small vocabulary is enough for plausible, deterministic prose. A few non-ASCII words make
// multi-byte UTF-8 appear in ordinary answers, so clients' decoders are exercised without faults.
const WORDS = [
  'the',
  'model',
  'answer',
  'light',
  'blue',
  'sky',
  'because',
  'of',
  'a',
  'process',
  'called',
  'scattering',
  'short',
  'waves',
  'are',
  'more',
  'strongly',
  'than',
  'long',
  'ones',
  'and',
  'it',
  'is',
  'simple',
  'to',
  'see',
  'why',
  'this',
  'happens',
  'in',
  'air',
  'when',
  'sunlight',
  'meets',
  'small',
  'molecules',
  'every',
  'day',
  'we',
  'can',
  'observe',
  'clear',
  'effect',
  'over',
  'ocean',
  'data',
  'request',
  'server',
  'stream',
  'token',
  'context',
  'window',
  'quickly',
  'slowly',
  'careful',
  'result',
  'value',
  'system',
  'local',
  'network',
  'café',
  'naïve',
  'résumé',
  'über',
] as const;

/** Splits text into token-like pieces: a word with its leading space, or one punctuation mark. */
export function splitTokens(text: string): string[] {
  return text.match(/\s*[\p{L}\p{N}_]+|\s*[^\s\p{L}\p{N}_]|\s+/gu) ?? [];
}

/** Deterministic prose of exactly `count` token pieces, drawn from `seed`. */
export function generateTokens(seed: number, count: number): string[] {
  const random = createRandom(seed);
  const out: string[] = [];
  let sentenceLength = 0;
  let sentenceTarget = 6 + Math.floor(random() * 9);
  while (out.length < count) {
    if (sentenceLength >= sentenceTarget && out.length < count) {
      out.push('.');
      sentenceLength = 0;
      sentenceTarget = 6 + Math.floor(random() * 9);
      continue;
    }
    const word = WORDS[Math.floor(random() * WORDS.length)]!;
    if (sentenceLength === 0) {
      const capital = word.charAt(0).toUpperCase() + word.slice(1);
      out.push(out.length === 0 ? capital : ` ${capital}`);
    } else {
      out.push(` ${word}`);
    }
    sentenceLength++;
  }
  return out;
}

/** Picks a deterministic integer in [min, max]. */
export function pickInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/**
 * Prompt token estimate: `ceil(chars × tokensPerChar)` for each text, plus 4 template tokens per
 * message, 1 for BOS and 3 for the assistant header, like a chat template renders it.
 */
export function estimateTextTokens(text: string, tokensPerChar: number): number {
  return text.length === 0 ? 0 : Math.ceil(text.length * tokensPerChar);
}
