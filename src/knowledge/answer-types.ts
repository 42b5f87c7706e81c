/** The answer's types, produced by the answerer (src/core/types.ts re-exports them for the layers above). */

/** A citation of one clause of one document. */
export interface Citation {
  /** Full document title, naming the city or province. */
  title: string;
  /** Clause name the way the document numbers it, such as 第七条 or 三、（十）2. */
  article: string;
  /** Verbatim clause text. */
  quote: string;
}

/** The answer to one policy question, in the shape of the scriptable contract. */
export interface PolicyAnswer {
  /** The question as asked. */
  question: string;
  /** Intent the classifier chose. */
  intent: string;
  /** Whether the corpus covers the question. */
  found: boolean;
  /** What the user sees: the fact first, then the source. */
  answer: string;
  /** Clauses the answer rests on. */
  citations: Citation[];
}
