/** Corpus-scale benchmark: ingest time, knowledge load time, warm answer latency and RSS at 5, 50 and 500 policy files. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const sourceDir = join(root, 'data', 'policies');

/** Corpus sizes measured, in policy files (the real corpus has five). */
export const CORPUS_SIZES = [5, 50, 500];

/** Question time shared by every measurement, so validity checks do not depend on today. */
const NOW = new Date('2026-11-22T10:00:00+08:00');

/**
 * Real prefecture-level cities (none of them the corpus's own places), given to the copies in turn.
 * 101 names: coprime with the five source files, so one city never gets two copies of the same file below 505 files.
 */
export const CITIES = [
  '佛山', '东莞', '惠州', '肇庆', '清远', '韶关', '河源', '梅州', '潮州', '揭阳',
  '汕尾', '阳江', '茂名', '湛江', '云浮', '珠海', '桂林', '柳州', '梧州', '玉林',
  '南宁', '北海', '钦州', '贵港', '百色', '赣州', '吉安', '九江', '上饶', '宜春',
  '抚州', '景德镇', '萍乡', '新余', '鹰潭', '泉州', '漳州', '莆田', '三明', '南平',
  '龙岩', '宁德', '温州', '嘉兴', '湖州', '绍兴', '金华', '衢州', '台州', '丽水',
  '舟山', '苏州', '无锡', '常州', '南通', '扬州', '镇江', '泰州', '盐城', '淮安',
  '徐州', '连云港', '宿迁', '芜湖', '蚌埠', '安庆', '黄山', '滁州', '阜阳', '宿州',
  '六安', '亳州', '池州', '宣城', '株洲', '湘潭', '衡阳', '岳阳', '常德', '郴州',
  '邵阳', '益阳', '永州', '怀化', '娄底', '宜昌', '襄阳', '荆州', '黄石', '十堰',
  '孝感', '黄冈', '咸宁', '洛阳', '开封', '新乡', '南阳', '绵阳', '德阳', '宜宾',
  '泸州',
];

/** The corpus's own place names; a copy replaces the one its file is about (四川省 becomes <city>市). */
const OWN_PLACES = ['开平', '中山', '汕头', '四川', '江门'];

/** Counts and amounts scaled in the copies; years, dates, durations and article numbers are left alone. */
const FIGURE = /(?<![\d.])(\d+(?:\.\d+)?)(\s*)(千元|万元|亿元|元|家|项|名|件|批|%|个(?!月|工作日|小时|百分点))/g;

/** The place a source file is about: the first of the corpus's own places its sidecar region names. */
function placeOf(metaText: string, body: string): string {
  const region = (JSON.parse(metaText) as { region?: string }).region ?? '';
  return OWN_PLACES.find((p) => region.startsWith(p)) ?? OWN_PLACES.find((p) => body.includes(p)) ?? '';
}

/** Rewrites one text for copy `copy`: the file's own place becomes `city`, counts and amounts are multiplied. */
function varyText(text: string, place: string, city: string, copy: number, figures: boolean): string {
  let out = text;
  if (place) {
    out = out.replaceAll(`${place}省`, `${city}市`).replaceAll(place, city);
  }
  if (!figures) return out;
  const factor = 2 + (copy % 4);
  return out.replace(FIGURE, (_m, n: string, sp: string, unit: string) => {
    const v = Number(n);
    let nv: number;
    if (unit === '%') nv = v >= 100 ? v : Math.min(99, Math.round(v * (1 + ((copy % 5) + 1) / 10)));
    else nv = v * factor;
    const s = Number.isInteger(nv) ? String(nv) : nv.toFixed(1);
    return `${s}${sp}${unit}`;
  });
}

/** Gives an in-file `---` front matter's `id:` the copy's suffix, so copies of a file with no sidecar stay distinct. */
function varyHeader(text: string, copy: number): string {
  const m = /^(\s*---\r?\n)([\s\S]*?)(\r?\n---)/.exec(text);
  if (!m) return text;
  const header = m[2].replace(/^(\s*id\s*[:：]\s*)(\S+)/m, `$1$2-c${copy}`);
  return m[1] + header + m[3] + text.slice(m[0].length);
}

/** Rewrites a sidecar for copy `copy`: unique ids (file and parts), new region, place in title, issuer and notes. */
function varyMeta(metaText: string, place: string, city: string, copy: number): string {
  const meta = JSON.parse(metaText) as Record<string, unknown> & { id: string; parts?: Record<string, unknown>[] };
  const swap = (v: unknown) => (typeof v === 'string' ? varyText(v, place, city, copy, false) : v);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) out[k] = k === 'parts' ? v : swap(v);
  out.id = `${meta.id}-c${copy}`;
  if (place) out.region = `${city}市`;
  if (meta.parts) out.parts = meta.parts.map((p) => {
    const q: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p)) q[k] = swap(v);
    q.id = `${String(p.id)}-c${copy}`;
    return q;
  });
  return JSON.stringify(out, null, 2);
}

/** Writes `files` policy files into `<dataDir>/policies`: the real corpus first, then copies with new places and figures. */
export function generateCorpus(dataDir: string, files: number): void {
  const out = join(dataDir, 'policies');
  mkdirSync(out, { recursive: true });
  const sources = readdirSync(sourceDir).filter((f) => f.endsWith('.txt')).sort();
  for (let k = 0; k < files; k++) {
    const copy = Math.floor(k / sources.length);
    const src = sources[k % sources.length];
    const sidecar = src.replace(/\.txt$/, '.meta.json');
    const name = `${String(copy).padStart(3, '0')}-${src}`;
    if (copy === 0) {
      copyFileSync(join(sourceDir, src), join(out, name));
      if (existsSync(join(sourceDir, sidecar))) copyFileSync(join(sourceDir, sidecar), join(out, name.replace(/\.txt$/, '.meta.json')));
      continue;
    }
    const body = readFileSync(join(sourceDir, src), 'utf8');
    const metaText = existsSync(join(sourceDir, sidecar)) ? readFileSync(join(sourceDir, sidecar), 'utf8') : '{}';
    const place = placeOf(metaText, body);
    const city = CITIES[k % CITIES.length];
    writeFileSync(join(out, name), varyHeader(varyText(body, place, city, copy, true), copy));
    if (metaText !== '{}') writeFileSync(join(out, name.replace(/\.txt$/, '.meta.json')), varyMeta(metaText, place, city, copy));
  }
}

/** The q-th quantile of sorted numbers. */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Peak RSS of this process in MB: VmHWM, since Linux carries ru_maxrss over from the parent across exec. */
function peakRssMb(): number {
  const hwm = existsSync('/proc/self/status') ? /VmHWM:\s*(\d+)\s*kB/.exec(readFileSync('/proc/self/status', 'utf8')) : null;
  return (hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) / 1024;
}

/** Figures measured at one corpus size. */
export interface ScaleRow {
  files: number;
  documents: number;
  units: number;
  dictionaryTerms: number;
  indexMb: number;
  /** `writeIndex`: read, split, validate, build the dictionary and write index.json. */
  indexS: number;
  /** `writeModel`: train the intent classifier with the corpus dictionary and cache it (as `cli ingest` does). */
  modelS: number;
  /** `loadKnowledge(dataDir)` from the written index and model, as a starting bot does. */
  loadS: number;
  /** Wall time of the real `cli ingest` in a fresh node + tsx process (start-up included). */
  cliIngestS: number;
  p50Ms: number;
  p99Ms: number;
  /** p99 of CPU time per answer (all threads), less sensitive than wall time to other processes on the machine. */
  p99CpuMs: number;
  maxMs: number;
  /** One-minute load average when the size finished. */
  load: number;
  samples: number;
  rssMb: number;
}

/** Measures one size in this process (run it in a fresh process per size, so JIT warmth and heap do not carry over). */
export async function measureSize(files: number, latencyBudgetMs = 12_000): Promise<ScaleRow> {
  const dataDir = mkdtempSync(join(tmpdir(), `corpus-scale-${files}-`));
  try {
    generateCorpus(dataDir, files);
    process.env.POLICY_DATA_DIR = dataDir;
    const { writeIndex, indexPath } = await import('../src/knowledge/policy-loader.ts');
    const { loadIntents, writeModel } = await import('../src/nlu/intent-classifier.ts');
    const { createSegmenter } = await import('../src/nlu/segmenter.ts');
    const { loadKnowledge, modelPath } = await import('../src/knowledge/knowledge-base.ts');
    const { precheckEligibility } = await import('../src/dialogue/eligibility.ts');
    const { answerQuestion } = await import('../src/knowledge/answer.ts');

    let t = performance.now();
    const index = writeIndex(dataDir);
    const indexS = (performance.now() - t) / 1000;
    t = performance.now();
    writeModel(createSegmenter(index.dictionary), loadIntents(), modelPath(dataDir));
    const modelS = (performance.now() - t) / 1000;

    t = performance.now();
    const k = loadKnowledge(dataDir, undefined, { eligibility: precheckEligibility });
    const loadS = (performance.now() - t) / 1000;

    const questions = readFileSync(join(root, 'eval', 'questions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { question: string }).question);
    t = performance.now();
    for (const q of questions) answerQuestion(k, q, NOW); // warm-up
    const passMs = performance.now() - t;
    const rounds = Math.max(2, Math.min(5, Math.floor(latencyBudgetMs / Math.max(1, passMs))));
    const times: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const q of questions) {
        const c = process.cpuUsage();
        const s = performance.now();
        answerQuestion(k, q, NOW);
        times.push(performance.now() - s);
        const d = process.cpuUsage(c);
        cpu.push((d.user + d.system) / 1000);
      }
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const rssMb = peakRssMb();

    t = performance.now();
    const cli = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli.ts'), 'ingest'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, POLICY_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    });
    const cliIngestS = (performance.now() - t) / 1000;
    if (cli.status !== 0) throw new Error(`cli ingest of ${files} files failed: ${cli.stderr}`);
    return {
      files,
      documents: index.documents.length,
      units: index.units.length,
      dictionaryTerms: index.dictionary.length,
      indexMb: statSync(indexPath(dataDir)).size / 1024 / 1024,
      indexS,
      modelS,
      loadS,
      cliIngestS,
      p50Ms: quantile(times, 0.5),
      p99Ms: quantile(times, 0.99),
      p99CpuMs: quantile(cpu, 0.99),
      load: loadavg()[0],
      maxMs: times[times.length - 1],
      samples: times.length,
      rssMb,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs each size in a fresh `node --import tsx` process and returns the rows; progress goes to stderr. */
export function runCorpusScaleBench(sizes: number[] = CORPUS_SIZES): ScaleRow[] {
  const rows: ScaleRow[] = [];
  for (const n of sizes) {
    process.stderr.write(`corpus-scale: ${n} files…\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', String(n)], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
      maxBuffer: 16 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`corpus-scale worker for ${n} files failed: ${r.stderr}`);
    rows.push(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as ScaleRow);
  }
  return rows;
}

/** How a figure grows from size to size: each step's factor, and the exponent e of files^e over the last step. */
function growth(rows: ScaleRow[], pick: (r: ScaleRow) => number): string {
  const steps = rows.slice(1).map((r, i) => pick(r) / Math.max(1e-9, pick(rows[i])));
  const a = rows[rows.length - 2];
  const b = rows[rows.length - 1];
  const e = Math.log(pick(b) / Math.max(1e-9, pick(a))) / Math.log(b.files / a.files);
  return `${steps.map((f) => `×${f.toFixed(1)}`).join(' then ')} (≈ n^${e.toFixed(2)})`;
}

/** Formats the rows as a human-readable table plus a one-line growth summary. */
export function formatCorpusScale(rows: ScaleRow[]): string {
  const head = ['files', 'docs', 'units', 'ingest s', '(index', 'model)', 'cli ingest s', 'load s', 'p50 ms', 'p99 ms', 'p99 cpu ms', 'max ms', 'RSS MB'];
  const body = rows.map((r) => [
    String(r.files),
    String(r.documents),
    String(r.units),
    (r.indexS + r.modelS).toFixed(2),
    r.indexS.toFixed(2),
    r.modelS.toFixed(2),
    r.cliIngestS.toFixed(2),
    r.loadS.toFixed(2),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    r.p99CpuMs.toFixed(2),
    r.maxMs.toFixed(1),
    r.rssMb.toFixed(0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padStart(widths[i])).join('  ')}`;
  const last = rows[rows.length - 1];
  const sizes = rows.map((r) => r.files).join('→');
  const summary = rows.length > 1
    ? `  growth ${sizes} files: ingest ${growth(rows, (r) => r.indexS + r.modelS)}, of which index ${growth(rows, (r) => r.indexS)}; load ${growth(rows, (r) => r.loadS)}; p50 ${growth(rows, (r) => r.p50Ms)}; p99 ${growth(rows, (r) => r.p99Ms)}; p99 cpu ${growth(rows, (r) => r.p99CpuMs)}; RSS ${growth(rows, (r) => r.rssMb)}; index.json ${last.indexMb.toFixed(1)} MB and ${last.dictionaryTerms} dictionary terms at ${last.files} files`
    : '';
  const samples = `  (warm latency over eval/questions.jsonl at 2026-11-22 10:00 +08:00, ${rows.map((r) => r.samples).join('/')} samples; load average ${rows.map((r) => r.load.toFixed(1)).join('/')} on ${availableParallelism()} cores; each size in a fresh process; ingest = writeIndex + intent model training in-process; cli ingest = the real command in a new process)`;
  return [`corpus scale (copies of data/policies with other cities and scaled figures)`, line(head), ...body.map(line), summary, samples].filter(Boolean).join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--worker');
  if (at >= 0) {
    const row = await measureSize(Number(process.argv[at + 1]));
    process.stdout.write(`${JSON.stringify(row)}\n`);
  } else {
    const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
    console.log(formatCorpusScale(runCorpusScaleBench(sizes.length ? sizes : CORPUS_SIZES)));
  }
}
