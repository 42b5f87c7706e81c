/** "2021年那个奖励办法还算数吗": a document a loaded one repeals is answered from the clause that repeals it. */
import { citationOf, excerptOf, finish, period, sourceLines } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';
import { sentencesOf } from '../facts.ts';
import { repealNamed } from '../repealed.ts';

/** Answers a question about a repealed document: it is repealed, by which document, in its words. */
export const repealed: Answerer = {
  name: 'repealed document',
  answer: ({ k, question, intent, q, covered, now }) => {
    const r = repealNamed(k, q, covered);
    if (!r) return decline('names no document a loaded one repeals');
    const doc = k.documents.find((d) => d.id === r.unit.docId);
    // What the clause says of it after naming it ("自本细则施行之日起同时废止"), to the end of that clause.
    const said = sentencesOf(r.unit)[r.sentence].replace(/\s+/g, '');
    const at = said.indexOf(`《${r.title}》`);
    const rest = at < 0 ? '' : (/^[^，。；;]*/.exec(said.slice(at + r.title.length + 2).replace(/^[（(][^）)]*[）)]/, ''))?.[0] ?? '');
    const c = citationOf(r.unit, excerptOf(r.unit, r.sentence, []));
    // (A bare "同时废止" adds nothing to 已废止; "2019年印发的《…》" tells an old document from its namesake in force.)
    const when = rest.length > 4 ? `（${rest}）` : '';
    const name = `${!r.number && r.year ? `${r.year}年印发的` : ''}《${r.title}》${r.number ? `（${r.number}）` : ''}`;
    const lines = [period(`${name}已废止${when}，现行的是《${doc?.title ?? r.unit.title}》`), ...sourceLines(c)];
    return finish(k, question, intent, lines, [c], doc, now);
  },
};
