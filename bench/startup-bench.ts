/**
 * Start-up bench: the program as a person starts it, against a BM25 baseline (bench/bm25-baseline.ts) over the same
 * documents, at several corpus sizes (default 5 and 500 policy files; `--sizes 5,500,5000`).
 *
 * Per size, in a fresh data directory (bench/corpus-scale.ts's generated copies): the real `cli ingest`; cold
 * `npm run --silent cli -- ask` wall, CPU and peak RSS (median of `--runs`, default 5); `npm start` to its first answer;
 * a 90-question `ask --jsonl` batch, cold, bot and baseline in alternation; warm p50/p99 in a fresh process; and at 5
 * files the eval sets' accuracy of both. Run alone: `npx tsx bench/startup-bench.ts [--sizes 5,500] [--runs 5]`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateCorpus } from './corpus-scale.ts';
import { judge, readItems, type ScoredAnswer } from '../eval/score.ts';
import { DOC_TITLES } from '../eval/doc-titles.ts';

const here = fileURLToPath(new URL('../', import.meta.url));
/** The checkout measured: this one, or another (BENCH_ROOT, e.g. an older commit's worktree for "before" figures). */
const root = process.env.BENCH_ROOT ? resolve(process.env.BENCH_ROOT) : here;
/** How that checkout runs its CLI without npm: the compiled launcher, or tsx where it has none. */
const cliArgs = existsSync(join(root, 'scripts', 'launch.mjs')) ? ['scripts/launch.mjs', 'cli'] : ['--import', 'tsx', 'src/cli.ts'];
const AT = '2026-11-22T10:00:00+08:00';
const QUESTION = '优秀奖奖金多少';
const EVAL_SETS = ['questions', 'holdout', 'fresh', 'probe', 'probe2'].map((s) => join(root, 'eval', `${s}.jsonl`));

/** Median of numbers. */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
/** The q-th quantile of sorted numbers. */
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** One timed run of a command: wall seconds, CPU seconds (user + system, children included) and peak RSS in MB. */
interface Run {
  wallS: number;
  cpuS: number;
  rssMb: number;
  stdout: string;
}

/** Runs a command under GNU time (peak RSS of the largest process in it: node, not npm), with stdin text. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, input = ''): Run {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '@@%U %S %M', cmd, ...args], { cwd: root, env, input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallS = (performance.now() - t) / 1000;
  const m = /@@([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-800)}`);
  return { wallS, cpuS: Number(m[1]) + Number(m[2]), rssMb: Number(m[3]) / 1024, stdout: r.stdout };
}

/** Median wall, CPU and RSS over runs. */
function summary(runs: Run[]) {
  return { wallS: median(runs.map((r) => r.wallS)), cpuS: median(runs.map((r) => r.cpuS)), rssMb: Math.max(...runs.map((r) => r.rssMb)), runs: runs.length };
}

/** Seconds from `npm start` to its first answer on the terminal console (a question typed at once). */
function startToFirstAnswer(env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((done, fail) => {
    const t = performance.now();
    const child = spawn('npm', ['start', '--silent'], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let lines = 0;
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error('npm start gave no answer within 120 s'));
    }, 120_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      // With a pipe for input there is no greeting: the first line from the bot is the answer.
      lines = buf.split('\n').filter((l) => l.startsWith('政策助手')).length;
      if (lines >= 1) {
        clearTimeout(timer);
        const s = (performance.now() - t) / 1000;
        child.stdin.end();
        child.kill('SIGTERM');
        done(s);
      }
    });
    child.on('error', fail);
    child.stdin.write(`${QUESTION}\n`);
  });
}

/** Bundles the baseline like the bot (plain JavaScript, packages external) into bench/.out/ (dist/ is replaced by each build). */
async function bundleBaseline(): Promise<string> {
  const { build } = await import('esbuild');
  const out = join(here, 'bench', '.out', `bm25-baseline-${process.pid}.mjs`);
  await build({ entryPoints: [join(here, 'bench', 'bm25-baseline.ts')], outfile: out, bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' });
  return out;
}

/** Scores JSON-lines answers against eval items with the eval rule. */
function score(items: { item: ReturnType<typeof readItems>[number] }[], answers: ScoredAnswer[], docTitle: (d: string) => string): number {
  return items.filter(({ item }, i) => judge(item, answers[i], docTitle).pass).length;
}

/** Warm latency in this process (run with POLICY_DATA_DIR set): p50/p99 wall and p99 CPU in ms. */
async function warmWorker(): Promise<void> {
  const src = (f: string) => pathToFileURL(join(root, 'src', 'knowledge', f)).href;
  const { loadKnowledge } = (await import(src('knowledge-base.ts'))) as typeof import('../src/knowledge/knowledge-base.ts');
  const { answerQuestion } = (await import(src('answer.ts'))) as typeof import('../src/knowledge/answer.ts');
  const k = loadKnowledge();
  const qs = readItems(EVAL_SETS[0]).map((i) => i.question);
  const now = new Date(AT);
  for (const q of qs) answerQuestion(k, q, now);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (const q of qs) {
      const c = process.cpuUsage();
      const s = performance.now();
      answerQuestion(k, q, now);
      wall.push(performance.now() - s);
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
    }
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ p50: quantile(wall, 0.5), p99: quantile(wall, 0.99), p99cpu: quantile(cpu, 0.99), rssMb: process.memoryUsage().rss / 1e6 })}\n`);
}

/** Everything measured at one size. */
async function measure(files: number, runs: number, baseline: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `startup-${files}-`));
  try {
    generateCorpus(dataDir, files);
    for (const f of ['glossary.json', 'places.json']) copyFileSync(join(root, 'data', f), join(dataDir, f));
    cpSync(join(root, 'data', 'awards'), join(dataDir, 'awards'), { recursive: true });
    const env = { ...process.env, POLICY_DATA_DIR: dataDir, LOG_LEVEL: 'silent', DB_PATH: join(dataDir, 'bot.db'), TELEGRAM_BOT_TOKEN: '', WECHATY_PUPPET_SERVICE_TOKEN: '', WEB_PORT: '' };
    process.stderr.write(`startup-bench: ${files} files: ingest…\n`);
    const ingest = timed('npm', ['run', '--silent', 'cli', '--', 'ingest'], env);
    const baseBuild = timed('node', [baseline, 'build', dataDir], env);
    process.stderr.write(`startup-bench: ${files} files: cold ask ×${runs}…\n`);
    const cold = summary(Array.from({ length: runs }, () => timed('npm', ['run', '--silent', 'cli', '--', 'ask', '--at', AT, QUESTION], env)));
    const starts: number[] = [];
    for (let i = 0; i < Math.min(runs, 5); i++) starts.push(await startToFirstAnswer(env));
    process.stderr.write(`startup-bench: ${files} files: 90-question batches ×${runs}…\n`);
    const batch = readItems(EVAL_SETS[0]).slice(0, 90).map((i) => i.question).join('\n') + '\n';
    const bot: Run[] = [];
    const base: Run[] = [];
    for (let i = 0; i < runs; i++) {
      bot.push(timed('node', [...cliArgs, 'ask', '--jsonl', '--at', AT], env, batch));
      base.push(timed('node', [baseline, 'ask', '--jsonl', dataDir], env, batch));
    }
    const warm = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--warm'], { cwd: here, env, encoding: 'utf8' });
    if (warm.status !== 0) throw new Error(`warm worker failed: ${warm.stderr}`);
    let accuracy: { set: string; items: number; bot: number; bm25: number }[] | undefined;
    if (files === 5) {
      const index = JSON.parse(readFileSync(join(dataDir, 'index.json'), 'utf8')) as { documents: { id: string; title: string }[] };
      const titles = new Map(index.documents.map((d) => [d.id, d.title]));
      // The eval sets name documents as eval/run-eval.ts does: through the table of the original documents' titles.
      const docTitle = (d: string) => DOC_TITLES[d] ?? titles.get(d) ?? d;
      accuracy = EVAL_SETS.map((file) => {
        const items = readItems(file).map((item) => ({ item }));
        const input = items.map(({ item }) => item.question.replace(/\n/g, ' ')).join('\n') + '\n';
        const parse = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l) as ScoredAnswer);
        const botA = parse(timed('node', [...cliArgs, 'ask', '--jsonl', '--at', AT], env, input).stdout);
        const baseA = parse(timed('node', [baseline, 'ask', '--jsonl', dataDir], env, input).stdout);
        return { set: file.replace(/.*\//, ''), items: items.length, bot: score(items, botA, docTitle), bm25: score(items, baseA, docTitle) };
      });
    }
    return { files, ingest: { wallS: ingest.wallS, cpuS: ingest.cpuS, rssMb: ingest.rssMb }, baselineBuildS: baseBuild.wallS, cold, startS: median(starts), bot: summary(bot), bm25: summary(base), warm: JSON.parse(warm.stdout) as { p50: number; p99: number; p99cpu: number }, accuracy, load: loadavg()[0] };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Prints the rows side by side. */
function report(rows: Awaited<ReturnType<typeof measure>>[]): string {
  const out = ['start-up and BM25 baseline (medians; wall s / CPU s / peak RSS MB)'];
  for (const r of rows) {
    out.push(`  ${r.files} files (load average ${r.load.toFixed(1)} on ${availableParallelism()} cores)`);
    out.push(`    cli ingest                       ${r.ingest.wallS.toFixed(2)} s / ${r.ingest.cpuS.toFixed(2)} s / ${r.ingest.rssMb.toFixed(0)} MB   (baseline index build ${r.baselineBuildS.toFixed(2)} s)`);
    out.push(`    cold npm run cli -- ask (×${r.cold.runs})    ${r.cold.wallS.toFixed(2)} s / ${r.cold.cpuS.toFixed(2)} s / ${r.cold.rssMb.toFixed(0)} MB`);
    out.push(`    npm start to first answer        ${r.startS.toFixed(2)} s`);
    out.push(`    90-question ask --jsonl, bot     ${r.bot.wallS.toFixed(2)} s / ${r.bot.cpuS.toFixed(2)} s / ${r.bot.rssMb.toFixed(0)} MB`);
    out.push(`    90-question batch, BM25 baseline ${r.bm25.wallS.toFixed(2)} s / ${r.bm25.cpuS.toFixed(2)} s / ${r.bm25.rssMb.toFixed(0)} MB   (bot ÷ baseline: wall ×${(r.bot.wallS / r.bm25.wallS).toFixed(2)}, CPU ×${(r.bot.cpuS / r.bm25.cpuS).toFixed(2)})`);
    out.push(`    warm answer p50 ${r.warm.p50.toFixed(2)} ms, p99 ${r.warm.p99.toFixed(2)} ms (p99 CPU ${r.warm.p99cpu.toFixed(2)} ms)`);
    if (r.accuracy) out.push(`    accuracy (eval rule), bot vs BM25: ${r.accuracy.map((a) => `${a.set} ${a.bot}/${a.items} vs ${a.bm25}/${a.items}`).join('; ')}`);
  }
  if (rows.length > 1) {
    const a = rows[0];
    const b = rows[rows.length - 1];
    const g = (x: number, y: number) => `×${(y / x).toFixed(1)} (≈ n^${(Math.log(y / x) / Math.log(b.files / a.files)).toFixed(2)})`;
    out.push(`  growth ${a.files}→${b.files} files: ingest ${g(a.ingest.wallS, b.ingest.wallS)}; cold ask wall ${g(a.cold.wallS, b.cold.wallS)}, RSS ${g(a.cold.rssMb, b.cold.rssMb)}; warm p99 ${g(a.warm.p99, b.warm.p99)}`);
  }
  return out.join('\n');
}

/** Runs the bench for the sizes asked. */
export async function runStartupBench(sizes = [5, 500], runs = 5): Promise<string> {
  if (existsSync(join(root, 'scripts', 'build.mjs'))) spawnSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  const baseline = await bundleBaseline();
  const rows = [];
  for (const n of sizes) rows.push(await measure(n, runs, baseline));
  const text = report(rows);
  writeFileSync(join(tmpdir(), 'startup-bench.json'), JSON.stringify(rows, null, 2));
  return text;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--warm')) await warmWorker();
  else {
    const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
    const sizes = process.argv.includes('--sizes') ? arg('--sizes').split(',').map(Number) : [5, 500];
    const runs = process.argv.includes('--runs') ? Number(arg('--runs')) : 5;
    console.log(await runStartupBench(sizes, runs));
  }
}
