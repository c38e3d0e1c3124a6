import { type Json, num, str } from './chat-fields';
import { readEventMeta } from './shaped-event';

/**
 * An answer's identity fields (`id`, `model`, `created`, `system_fingerprint`, `service_tier`):
 * each one an event gives replaces the last (an empty model does not). An event read by its shape
 * (`shaped-event.ts`) is only remembered: its fields are read once, from the last such event, when
 * the next event is folded or the answer is built.
 */
export class AnswerIdentity {
  id: string | undefined;
  model = '';
  created: number | undefined;
  fingerprint: string | undefined;
  serviceTier: string | undefined;
  /** The last event read by its shape: its fields are not read yet. */
  #unread: string | undefined;

  /** An event read by its shape: read later, if it is still the last one. */
  later(data: string): void {
    this.#unread = data;
  }

  /** Reads the fields of the last event read by its shape, if any. */
  settle(): void {
    if (this.#unread === undefined) return;
    const meta = readEventMeta(this.#unread);
    this.#unread = undefined;
    this.#set(meta.id, meta.model, meta.created, meta.fingerprint, meta.serviceTier);
  }

  /** Reads the fields of an event parsed whole. */
  read(event: Json): void {
    this.#set(
      str(event.id),
      str(event.model),
      num(event.created),
      str(event.system_fingerprint),
      str(event.service_tier),
    );
  }

  #set(
    id: string | undefined,
    model: string | undefined,
    created: number | undefined,
    fingerprint: string | undefined,
    serviceTier: string | undefined,
  ): void {
    if (id !== undefined) this.id = id;
    if (model !== undefined && model.length > 0) this.model = model;
    if (created !== undefined) this.created = created;
    if (fingerprint !== undefined) this.fingerprint = fingerprint;
    if (serviceTier !== undefined) this.serviceTier = serviceTier;
  }
}
