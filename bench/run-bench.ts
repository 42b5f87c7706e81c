/** Benchmarks: warm answer latency (p50, p99), throughput, cold start of `ask`, peak RSS, the scheduling figures, the corpus-scale table (5, 50, 500 files) and the start-up bench beside a BM25 baseline (bench/startup-bench.ts). */
process.env.DOTENV_CONFIG_QUIET = 'true';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { answerQuestion } from '../src/knowledge/answer.ts';
import { loadKnowledge } from '../src/knowledge/knowledge-base.ts';
import { precheckEligibility } from '../src/dialogue/eligibility.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

/** The q-th quantile of sorted numbers. */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const questions = readFileSync(new URL('../eval/questions.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => (JSON.parse(l) as { question: string }).question);
const k = loadKnowledge(undefined, undefined, { eligibility: precheckEligibility });
const now = new Date('2026-11-22T10:00:00+08:00');
for (const q of questions) answerQuestion(k, q, now); // warm-up
const times: number[] = [];
const rounds = 5;
const t0 = performance.now();
for (let r = 0; r < rounds; r++) {
  for (const q of questions) {
    const s = performance.now();
    answerQuestion(k, q, now);
    times.push(performance.now() - s);
  }
}
const total = performance.now() - t0;
times.sort((a, b) => a - b);
const rssMb = process.resourceUsage().maxRSS / 1024;

const cold: number[] = [];
let coldRss = 0;
for (let i = 0; i < 5; i++) {
  const s = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'ask', '--json', '优秀奖奖金多少'], { cwd: root, encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
  cold.push(performance.now() - s);
  if (r.status !== 0) throw new Error(`cold ask failed: ${r.stderr}`);
}
const rssProbe = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, '--import', 'tsx', 'src/cli.ts', 'ask', '--json', '优秀奖奖金多少'], { cwd: root, encoding: 'utf8' });
if (rssProbe.status === 0) coldRss = Number(rssProbe.stderr.trim().split('\n').pop()) / 1024;
cold.sort((a, b) => a - b);

console.log('answers (warm, %d questions × %d rounds)', questions.length, rounds);
console.log(`  latency p50 ${quantile(times, 0.5).toFixed(2)} ms, p99 ${quantile(times, 0.99).toFixed(2)} ms, max ${times[times.length - 1].toFixed(2)} ms`);
console.log(`  throughput ${((questions.length * rounds) / (total / 1000)).toFixed(0)} questions/s`);
console.log(`cold ask (node + tsx, median of 5): ${quantile(cold, 0.5).toFixed(0)} ms (min ${cold[0].toFixed(0)}, max ${cold[cold.length - 1].toFixed(0)})`);
console.log(`peak RSS: bench process ${rssMb.toFixed(0)} MB${coldRss ? `, one ask process ${coldRss.toFixed(0)} MB` : ''}`);

const schedulingBench = new URL('./scheduling-bench.ts', import.meta.url);
if (existsSync(fileURLToPath(schedulingBench))) {
  const { runSchedulingBench } = (await import(schedulingBench.href)) as { runSchedulingBench: () => Promise<{ deliveriesPerSecond: number; scanMsWith1MAwards: number }> };
  const s = await runSchedulingBench();
  console.log(`broadcast to 10,000 subscribers: ${s.deliveriesPerSecond.toFixed(0)} deliveries/s`);
  console.log(`due-reminder scan with 1,000,000 awards: ${s.scanMsWith1MAwards.toFixed(1)} ms`);
}

const { runCorpusScaleBench, formatCorpusScale } = await import('./corpus-scale.ts');
console.log(formatCorpusScale(runCorpusScaleBench()));

// Several processes on PostgreSQL beside SQLite (PostgreSQL rows are skipped, with a note, when no binary exists).
const { runStoreScaleBench } = await import('./store-scale.ts');
console.log(await runStoreScaleBench());
// Start-up as a person runs it (`npm run cli`, `npm start`, compiled once) beside a BM25 baseline, at 5 and 500 files.
const { runStartupBench } = await import('./startup-bench.ts');
console.log(await runStartupBench());
