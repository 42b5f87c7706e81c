/** The console's document library: validates an uploaded policy, ingests it and swaps the running bot's knowledge. */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../errors.ts';
import { cnDate, isoDay, type Knowledge } from '../knowledge/answer.ts';
import { loadKnowledge } from '../knowledge/knowledge-base.ts';
import { precheckEligibility } from '../dialogue/eligibility.ts';
import { buildIndex, listPolicyFiles, writeIndex } from '../knowledge/policy-loader.ts';
import type { PolicyDocument } from '../knowledge/policy-schema.ts';

/** Largest policy file accepted. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

/** One problem found in an uploaded file. */
export interface UploadProblem {
  file: string;
  /** Line number, when the problem is on one line. */
  line?: number;
  /** Metadata field or other location, when it is not a line. */
  field?: string;
  message: string;
}

/** Outcome of an upload or removal. */
export type LibraryResult = { ok: true; file: string; documents: PolicyDocument[] } | { ok: false; problems: UploadProblem[] };

/** Schema of an uploaded file's name and content. */
const uploadSchema = z.object({
  name: z
    .string()
    .min(5, '文件名太短')
    .max(120, '文件名太长')
    .regex(/\.txt$/i, '只接受 .txt 文本文件'),
  bytes: z.instanceof(Buffer).refine((b) => b.length > 0, '文件是空的').refine((b) => b.length <= MAX_UPLOAD_BYTES, `文件超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`),
});

/** A safe file name inside policies/: no directories, only letters, digits, CJK, dot, dash and underscore. */
export function safeFileName(name: string): string {
  const base = basename(name.replace(/\\/g, '/')).replace(/\.txt$/i, '');
  const clean = base.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+/, '').slice(0, 80);
  return `${clean || 'policy'}.txt`;
}

/** Plain-Chinese explanations of the loader's messages, for office staff; the original message is kept beside them. */
const EXPLAIN: [RegExp, string][] = [
  [/metadata header line must be/, '开头元数据的每一行应写成“名称: 值”，例如 issued: 2024-01-02'],
  [/never closed/, '开头的元数据以“---”开始，但缺少结束的“---”'],
  [/not valid UTF-8/, '文件不是 UTF-8 编码，请在记事本中“另存为”并选择 UTF-8'],
  [/NUL byte/, '这不是文本文件'],
  [/has no text/, '文件里没有正文'],
  [/no citable text/, '没有找到可引用的条款（例如“第一条”“一、”）'],
  [/expected a date as YYYY-MM-DD/, '日期应写成 2024-01-31 这样的格式'],
  [/is used twice/, '文件编号与已有文件重复，请给文件换个名字'],
  [/Unrecognized key/i, '有不认识的元数据名称（可用：issuer、docNumber、issued、effective、expires、validityNote、region）'],
  [/no line ".*" found/, '元数据里写的分节标题在正文中找不到'],
  [/Too small|too_small|at least/i, '内容太短'],
];

/** Turns a DataError location ("line 12", "parts.0.startsWith", "json") into a line or a field, with an explanation. */
function problemOf(err: DataError): UploadProblem {
  const m = /^line (\d+)$/.exec(err.where);
  const original = err.message.slice(`${err.file}: ${err.where}: `.length) || err.message;
  const hint = EXPLAIN.find(([re]) => re.test(original))?.[1];
  const message = hint ? `${hint}（${original}）` : original;
  return m ? { file: err.file, line: Number(m[1]), message } : { file: err.file, field: err.where, message };
}

/** Validity of a document on `now`'s local day, in words. */
export function validityText(doc: PolicyDocument, now: Date): { state: 'valid' | 'expired' | 'pending' | 'undated'; text: string } {
  const today = isoDay(now);
  if (doc.effective && today < doc.effective) return { state: 'pending', text: `尚未生效（${cnDate(doc.effective)}起施行）` };
  if (doc.expires && today > doc.expires) return { state: 'expired', text: `已失效（有效期至${cnDate(doc.expires)}）` };
  if (doc.expires) return { state: 'valid', text: `有效（至${cnDate(doc.expires)}）` };
  return { state: 'undated', text: doc.effective ? `有效（${cnDate(doc.effective)}起施行，未注明截止日期）` : '未注明有效期' };
}

/**
 * The policy files under `<dataDir>/policies`. Changes are serialised; an upload is validated together with every
 * other document in a scratch copy first, so a failed upload leaves the files and the running bot untouched.
 */
export class DocumentLibrary {
  private chain: Promise<unknown> = Promise.resolve();

  /** Creates the library; `swap` receives the rebuilt knowledge after each change. */
  constructor(
    readonly dataDir: string,
    private readonly swap: (k: Knowledge) => void,
    private readonly intentsDir?: string,
  ) {}

  /** Directory of the policy files. */
  get policiesDir(): string {
    return join(this.dataDir, 'policies');
  }

  /** The policy file names, in name order. */
  files(): string[] {
    return listPolicyFiles(this.policiesDir);
  }

  /** Validates, stores and ingests an uploaded policy; the bot answers from it as soon as this resolves ok. */
  upload(name: string, bytes: Buffer): Promise<LibraryResult> {
    return this.serial(() => this.doUpload(name, bytes));
  }

  /** Removes a policy file (moved to `<dataDir>/removed/`) and re-ingests; refuses the last document. */
  remove(file: string): Promise<LibraryResult> {
    return this.serial(() => this.doRemove(file));
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.chain.then(job, job);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async doUpload(name: string, bytes: Buffer): Promise<LibraryResult> {
    const input = uploadSchema.safeParse({ name, bytes });
    if (!input.success) return { ok: false, problems: input.error.issues.map((i) => ({ file: name, field: i.path.join('.') === 'bytes' ? '文件内容' : '文件名', message: i.message })) };
    const file = safeFileName(name);
    if (existsSync(join(this.policiesDir, file))) {
      return { ok: false, problems: [{ file, field: '文件名', message: '已有同名文件。请先在下方删除旧文件，或把新文件改名后再上传。' }] };
    }
    const staging = mkdtempSync(join(tmpdir(), 'policy-upload-'));
    try {
      mkdirSync(join(staging, 'policies'));
      for (const f of readdirSync(this.policiesDir).filter((f) => f.endsWith('.txt') || f.endsWith('.meta.json'))) copyFileSync(join(this.policiesDir, f), join(staging, 'policies', f));
      writeFileSync(join(staging, 'policies', file), bytes);
      const index = buildIndex(staging);
      const documents = index.documents.filter((d) => d.file === file);
      const tmp = join(this.policiesDir, `.${file}.${process.pid}.upload`);
      writeFileSync(tmp, bytes);
      renameSync(tmp, join(this.policiesDir, file));
      try {
        this.reload();
      } catch (err) {
        unlinkSync(join(this.policiesDir, file));
        this.reload();
        throw err;
      }
      return { ok: true, file, documents };
    } catch (err) {
      if (err instanceof DataError) return { ok: false, problems: [problemOf(err)] };
      throw err;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }

  private async doRemove(file: string): Promise<LibraryResult> {
    const files = this.files();
    if (!files.includes(file)) return { ok: false, problems: [{ file, message: '没有这个文件（可能已被删除）。' }] };
    if (files.length === 1) return { ok: false, problems: [{ file, message: '这是最后一份文件，删除后机器人将无法回答任何政策问题，因此不能删除。' }] };
    const removedDir = join(this.dataDir, 'removed');
    mkdirSync(removedDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const moved: [string, string][] = [];
    for (const f of [file, file.replace(/\.txt$/, '.meta.json')]) {
      const from = join(this.policiesDir, f);
      if (!existsSync(from)) continue;
      const to = join(removedDir, `${stamp}-${f}`);
      renameSync(from, to);
      moved.push([from, to]);
    }
    try {
      this.reload();
    } catch (err) {
      for (const [from, to] of moved) renameSync(to, from);
      this.reload();
      if (err instanceof DataError) return { ok: false, problems: [problemOf(err)] };
      throw err;
    }
    return { ok: true, file, documents: [] };
  }

  /** Rebuilds the index file and hands the new knowledge to the bot. */
  private reload(): void {
    writeIndex(this.dataDir);
    this.swap(loadKnowledge(this.dataDir, this.intentsDir, { eligibility: precheckEligibility }));
  }
}
