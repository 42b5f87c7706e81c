/** "<某市>", "<某市>有哪些政策": a place and nothing else asked gets the list of that place's documents. */
import { documentList } from '../compose.ts';
import { type Answerer, decline } from '../context.ts';

/** Lists the documents of the places named, when that is all the question asks. */
export const documentListAnswerer: Answerer = {
  name: 'document list',
  answer: ({ k, frame, question, covered, now }) => {
    if (!frame.about.documentList) return decline('asks more than a place');
    const lines = [documentList(k, now, covered), '可以直接问具体问题，例如奖励金额、申报条件、目标任务或牵头部门。'];
    return { question, intent: 'document_list', found: true, answer: lines.join('\n'), citations: [] };
  },
};
