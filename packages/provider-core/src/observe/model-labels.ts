import { toWellFormed } from '@x/internal';

/**
 * Distinct models one provider tracks separately. Model names come from requests, which an app
 * may take from its own users, and from answers, which a server words: past this many, the others
 * share one label, {@link OVERFLOW_MODEL}, so a metrics scrape stays bounded (at most 257 values
 * of the `model` label per provider) and so do the OpenTelemetry metric series.
 */
export const MAX_MODELS = 256;

/**
 * The longest model name, in UTF-16 code units (`length`). Ollama's longest valid name, all of
 * `host/namespace/model:tag@digest` at their limits (350, 80, 80, 80, 80), is 674; OpenAI's ids
 * are a few dozen characters, Hugging Face's `org/repo` at most 96. A request naming a longer one
 * is refused (`expectModelName`); a longer name from anywhere else (a server's answer) is labelled
 * {@link OVERFLOW_MODEL}: one 1 MiB name would put a MiB into every series of a scrape.
 */
export const MAX_MODEL_NAME = 1024;

/**
 * The `model` label of the models past {@link MAX_MODELS} (and of a name over
 * {@link MAX_MODEL_NAME}). No request can name it (`expectModelName` and the request path refuse
 * it; no server we know names a model with parentheses, and Ollama's names cannot hold any), so
 * it never merges with a real model, and a model called `other` keeps its own label.
 */
export const OVERFLOW_MODEL = '(other)';

/**
 * What a model name is written as in a label: each lone surrogate as U+FFFD (as UTF-8 writes it:
 * `m\uD800` and `m\uD801` are one label once rendered, so they must be one series), and a name
 * over {@link MAX_MODEL_NAME} as {@link OVERFLOW_MODEL}.
 */
export function modelLabelText(name: string): string {
  return name.length > MAX_MODEL_NAME ? OVERFLOW_MODEL : toWellFormed(name);
}

/**
 * The first {@link MAX_MODELS} distinct keys it is asked about are admitted, later new ones are
 * not: the one bound every label of a model goes through (Prometheus, OpenTelemetry).
 */
export class FirstKeys {
  readonly #keys = new Set<string>();

  admits(key: string): boolean {
    if (this.#keys.has(key)) return true;
    if (this.#keys.size >= MAX_MODELS) return false;
    this.#keys.add(key);
    return true;
  }
}

/** Model names as labels, bounded: the first {@link MAX_MODELS} keep theirs, later ones share {@link OVERFLOW_MODEL}. */
export class ModelLabels {
  readonly #first = new FirstKeys();

  label(name: string): string {
    const text = modelLabelText(name);
    return text === OVERFLOW_MODEL || !this.#first.admits(text) ? OVERFLOW_MODEL : text;
  }
}
