/** The glossary and gazetteer live with the language layer (src/nlu/glossary.ts); re-exported here for the knowledge's callers. */
export * from '../nlu/glossary.ts';
