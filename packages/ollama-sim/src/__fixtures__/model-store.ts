// Test helpers for the model-management routes (pull, push, create, copy, delete, blobs).
import { createHash } from 'node:crypto';
import type { OllamaSim } from '../sim';
import { send } from './client';

/** A small model in the registry, so paced transfers take a few ticks. */
export const tiny = { name: 'tiny:1b', size: 3000, license: 'MIT' };

/** The model names `path` lists (`/api/tags` or `/api/ps`). */
export const names = async (s: OllamaSim, path = '/api/tags') =>
  (JSON.parse((await send(s.url, path)).text).models as { name: string }[]).map((m) => m.name);

/** The digest of a blob as Ollama writes it: `sha256:<hex>`. */
export const sha256 = (bytes: Buffer) =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
