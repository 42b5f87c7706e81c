/**
 * Scores new documents the way a clerk would add them: a folder of published notices (`name.txt`) with labelled
 * questions (`name.questions.jsonl`, the eval format) is copied next to the corpus in a fresh data directory, ingested
 * with the real CLI and asked through the real `ask --jsonl`, with no code change. Scored by the eval rule.
 *
 *   npx tsx eval/run-documents.ts <folder> [--at 2026-06-01T10:00:00+08:00] [--alone] [--verbose] [--json]
 *
 * By default every document of the folder is added at once (as next year's notices arrive together); `--alone` adds
 * each on its own beside the corpus, as the drop-in test does.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judge, readItems, type EvalItem, type ScoredAnswer } from './score.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Built artefacts a fresh data directory must not inherit. */
const NOT_COPIED = new Set(['index.json', 'intent-model.json', 'search-index.bin', 'removed']);

/** One scored question. */
interface Scored {
  file: string;
  id: string;
  question: string;
  pass: boolean;
  why: string;
  lead: string;
}

function cli(args: string[], dataDir: string, input = ''): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'launch.mjs'), 'cli', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', POLICY_DATA_DIR: dataDir },
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`cli ${args[0]} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Adds the given documents to a fresh copy of the data directory, asks their questions and scores the answers. */
function scoreTogether(folder: string, files: string[], at: string): Scored[] {
  const dir = mkdtempSync(join(tmpdir(), 'run-documents-'));
  try {
    for (const entry of readdirSync(join(ROOT, 'data'))) {
      if (NOT_COPIED.has(entry) || entry.endsWith('.tmp')) continue;
      cpSync(join(ROOT, 'data', entry), join(dir, entry), { recursive: true });
    }
    for (const f of files) cpSync(join(folder, f), join(dir, 'policies', f));
    cli(['ingest'], dir);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { documents: { id: string; title: string }[] };
    const titles = new Map(index.documents.map((d) => [d.id, d.title]));
    const items: { file: string; item: EvalItem }[] = files.flatMap((f) =>
      readItems(join(folder, f.replace(/\.txt$/, '.questions.jsonl'))).map((item) => ({ file: f, item })),
    );
    const out = cli(['ask', '--jsonl', '--at', at], dir, `${items.map((x) => x.item.question.replace(/\n/g, ' ')).join('\n')}\n`);
    const answers = out.trim().split('\n').map((l) => JSON.parse(l) as ScoredAnswer);
    return items.map(({ file, item }, i) => {
      const { pass, why } = judge(item, answers[i], (doc) => titles.get(doc) ?? doc);
      return { file, id: item.id, question: item.question, pass, why, lead: answers[i].answer.split('\n')[0].slice(0, 90) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const folder = resolve(args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--at') ?? '.');
  const at = args.includes('--at') ? args[args.indexOf('--at') + 1] : '2026-06-01T10:00:00+08:00';
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.txt') && existsSync(join(folder, f.replace(/\.txt$/, '.questions.jsonl'))))
    .sort();
  const scored = args.includes('--alone') ? files.flatMap((f) => scoreTogether(folder, [f], at)) : scoreTogether(folder, files, at);
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(scored)}\n`);
  } else {
    for (const f of files) {
      const mine = scored.filter((s) => s.file === f);
      console.log(`${f}: ${mine.filter((s) => s.pass).length}/${mine.length}`);
      if (args.includes('--verbose')) for (const s of mine.filter((x) => !x.pass)) console.log(`  ✗ ${s.id} ${s.question} → ${s.why} :: ${s.lead}`);
    }
    console.log(`overall: ${scored.filter((s) => s.pass).length}/${scored.length}${args.includes('--alone') ? ' (each alone)' : ' (all together)'}`);
  }
}
