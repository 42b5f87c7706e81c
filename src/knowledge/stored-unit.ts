/**
 * A unit opened from the index file: its metadata is held, its body (text, original script, table fields, facts) is
 * read from the file the first time an answerer looks at it (see index-file.ts). It reads like any other Unit.
 */
import type { Unit } from './policy-schema.ts';

/** A unit's body as stored: original, fields and facts, each 0 when the unit has none. */
export type UnitBody = [original: string | 0, fields: Record<string, string> | 0, facts: NonNullable<Unit['facts']> | 0];

/** Where a stored unit's text and body are read from. */
export interface BodySource {
  text(i: number): string;
  body(i: number): UnitBody;
  holdsFactOf(i: number, types: readonly string[]): boolean;
}

/** A unit whose body stays in the index file until it is needed. */
export class StoredUnit implements Unit {
  readonly #source: BodySource;
  readonly #at: number;

  constructor(
    readonly id: string,
    readonly docId: string,
    readonly title: string,
    readonly region: string,
    readonly article: string,
    readonly heading: string,
    readonly kind: Unit['kind'],
    readonly line: number,
    source: BodySource,
    at: number,
  ) {
    this.#source = source;
    this.#at = at;
  }

  get text(): string {
    return this.#source.text(this.#at);
  }

  get original(): string | undefined {
    return this.#source.body(this.#at)[0] || undefined;
  }

  get fields(): Record<string, string> | undefined {
    return this.#source.body(this.#at)[1] || undefined;
  }

  get facts(): Unit['facts'] {
    return this.#source.body(this.#at)[2] || undefined;
  }

  /** Whether the unit states a fact of one of the types, known without reading its body. */
  holdsFactOf(types: readonly string[]): boolean {
    return this.#source.holdsFactOf(this.#at, types);
  }

  /** The unit as plain data, as index.json holds it. */
  toJSON(): Unit {
    const text = this.text;
    const [original, fields, facts] = this.#source.body(this.#at);
    const { id, docId, title, region, article, heading, kind, line } = this;
    return { id, docId, title, region, article, heading, text, ...(original ? { original } : {}), kind, line, ...(fields ? { fields } : {}), ...(facts ? { facts } : {}) };
  }
}
