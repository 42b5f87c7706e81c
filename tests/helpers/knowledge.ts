/** Shared test fixture: the real knowledge base, loaded once per test file. */
import { precheckEligibility } from '../../src/dialogue/eligibility.ts';
import { loadKnowledge, type LoadedKnowledge } from '../../src/knowledge/knowledge-base.ts';

let cached: LoadedKnowledge | undefined;

/** The project's real knowledge base (data/ and intents/). */
export function knowledge(): LoadedKnowledge {
  cached ??= loadKnowledge(undefined, undefined, { eligibility: precheckEligibility });
  return cached;
}

/** A fixed date of asking, after the Kaiping rules lapsed. */
export const ASKED = new Date('2026-11-22T10:00:00+08:00');

/** The shipped documents by a short name, each found by its title (ids come from file names at ingest). */
export const DOC_TITLES: Record<string, string> = {
  'kaiping-award': '开平市水暖卫浴产品质量优秀奖评审管理办法',
  'kaiping-plan': '开平市水暖卫浴行业质量提升工作方案',
  zhongshan: '中山市工业产品质量提升三年行动计划(2018-2020年)',
  shantou: '汕头市贯彻实施质量发展纲要2013年重点行动计划',
  sichuan: '四川省重点消费品质量提升专项行动计划(2018-2020年)',
  jiangmen: '江门市加强质量认证体系建设促进全面质量管理实施方案',
};

/** The loaded id of a shipped document named as in DOC_TITLES. */
export function docIdOf(name: string): string {
  const id = knowledge().documents.find((d) => d.title === DOC_TITLES[name])?.id;
  if (!id) throw new Error(`no loaded document titled ${DOC_TITLES[name] ?? name}`);
  return id;
}
