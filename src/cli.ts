/** The scriptable command line: `ask`, `ingest` and `chat --jsonl`; JSON modes print only JSON on stdout. */
process.env.DOTENV_CONFIG_QUIET = 'true';
import { createInterface } from 'node:readline';
import { writeLine } from './channels/stdout.ts';
import { z } from 'zod';
import { DataError } from './errors.ts';
import { isStorageError, StorageError } from './storage/store.ts';
import { checkDay, dateRefusal } from './scheduling/dates.ts';

/** Writes one line to stdout synchronously (see writeLine). */
export function out(line: string): void {
  writeLine(line);
}

/**
 * Parses an ISO date; one without an offset is Asia/Shanghai local time (UTC+8, no daylight saving). The calendar day
 * is checked by the one date parser (2026-02-30 or year 9999 is an invalid date, never rolled over): invalid gives NaN.
 */
export function parseAt(value: string): Date {
  return parseInstant(value).at;
}

/** parseAt with the polite refusal for an invalid date. */
function parseInstant(value: string): { at: Date; refusal?: string } {
  const t = value.trim();
  const invalid = (refusal: string) => ({ at: new Date(Number.NaN), refusal });
  const day = /^(\d{4})-(\d{2})-(\d{2})(?=$|[T ])/.exec(t);
  if (!day) return invalid(dateRefusal(t, 'unreadable', '2026-01-05T09:00:00+08:00'));
  const checked = checkDay(Number(day[1]), Number(day[2]), Number(day[3]));
  if ('problem' in checked) return invalid(dateRefusal(t, checked.problem, '2026-01-05T09:00:00+08:00'));
  let at: Date;
  if (t.length === 10) at = new Date(`${t}T00:00:00+08:00`);
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t)) at = new Date(`${t.replace(' ', 'T')}+08:00`);
  else at = new Date(t);
  return Number.isNaN(at.getTime()) ? invalid(dateRefusal(t, 'unreadable', '2026-01-05T09:00:00+08:00')) : { at };
}

/** Parses the ISO date given with `--at`, or returns now. */
function clock(args: string[]): Date {
  const i = args.indexOf('--at');
  if (i >= 0 && args[i + 1]) {
    const d = parseAt(args[i + 1]);
    if (!Number.isNaN(d.getTime())) return d;
    throw new Error(`--at: not a date: ${args[i + 1]}`);
  }
  return new Date();
}

/** Values of a repeatable option such as `--admin ID`. */
function optionValues(args: string[], name: string): string[] {
  const vals: string[] = [];
  args.forEach((a, i) => {
    if (a === name && args[i + 1] !== undefined) vals.push(args[i + 1]);
    else if (a.startsWith(`${name}=`)) vals.push(a.slice(name.length + 1));
  });
  return vals;
}

/** Reads stdin line by line. */
function stdinLines() {
  return createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
}

/** `ask`: answers questions for a person, as one JSON object, or as JSON lines from stdin. */
async function ask(args: string[]): Promise<number> {
  const { loadKnowledge } = await import('./knowledge/knowledge-base.ts');
  const { answerQuestion } = await import('./knowledge/answer.ts');
  const { precheckEligibility } = await import('./dialogue/eligibility.ts');
  const k = loadKnowledge(undefined, undefined, { eligibility: precheckEligibility });
  const json = args.includes('--json');
  const jsonl = args.includes('--jsonl');
  // --explain adds the trace: the frame, the top clauses with scores, and which answerer answered and why others declined.
  const explain = args.includes('--explain');
  const shown = ({ frame: _, trace, ...a }: ReturnType<typeof answerQuestion>) => (explain ? { ...a, trace } : a);
  const skip = new Set<number>();
  args.forEach((a, i) => {
    if (a === '--at') skip.add(i + 1);
  });
  const words = args.filter((a, i) => !a.startsWith('--') && !skip.has(i));
  if (jsonl) {
    for await (const line of stdinLines()) {
      const a = answerQuestion(k, line, clock(args), { explain });
      out(JSON.stringify(shown(a)));
    }
    return 0;
  }
  const question = words.join(' ');
  const a = answerQuestion(k, question, clock(args), { explain });
  if (json) out(JSON.stringify(shown(a)));
  else {
    out(a.answer);
    if (a.trace) out(`\n--explain\n${JSON.stringify(a.trace, null, 1)}`);
  }
  return 0;
}

/** `ingest`: validates every data file and rebuilds the index; a broken file exits non-zero with its name and line. */
async function ingest(): Promise<number> {
  const { writeIndex, indexPath } = await import('./knowledge/policy-loader.ts');
  const { loadIntents, writeModel } = await import('./nlu/intent-classifier.ts');
  const { createSegmenter } = await import('./nlu/segmenter.ts');
  const { modelPath, writeSearchSnapshot } = await import('./knowledge/knowledge-base.ts');
  const index = writeIndex();
  const intents = loadIntents();
  const segmenter = createSegmenter(index.dictionary);
  writeModel(segmenter, intents, modelPath());
  writeSearchSnapshot(index, segmenter);
  const { checkAwardFiles } = await import('./dialogue/award-lint.ts');
  const awards = await checkAwardFiles(index, new Date());
  process.stderr.write(`ingest: ${awards.length} award rules files checked against the documents — ${awards.map((a) => a.id).join(', ') || 'none'}\n`);
  const counts = new Map<string, number>();
  for (const u of index.units) counts.set(u.docId, (counts.get(u.docId) ?? 0) + 1);
  const perDoc = index.documents.map((d) => `  ${d.id}: ${counts.get(d.id) ?? 0} units — ${d.title}`);
  process.stderr.write(`ingest: ${index.documents.length} documents, ${index.units.length} units, ${index.dictionary.length} dictionary terms, ${intents.length} intents → ${indexPath()}\n${perDoc.join('\n')}\n`);
  return 0;
}

/** `precheck-lint <file>`: prints an award rules file's form as a user meets it, then any problems against the documents. */
async function precheckLint(args: string[]): Promise<number> {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write('用法 / usage: cli precheck-lint <规则文件.json>\n');
    return 2;
  }
  const { lintAwardFile } = await import('./dialogue/award-lint.ts');
  const { form, problems } = await lintAwardFile(file, new Date());
  out(form);
  out('');
  out(problems.length ? `检查：发现${problems.length}个问题` : '检查：没有发现问题（引用的条款存在、原文一致，每一项都能回答和更正）');
  for (const p of problems) out(`  ${p.path}: ${p.message}`);
  return problems.length ? 1 : 0;
}

/** One input line of `chat --jsonl`: a message or a scheduler tick. */
const chatLineSchema = z.union([
  z.object({ tick: z.literal(true), at: z.string().optional() }),
  z.object({ chat: z.string().min(1), user: z.string().default(''), text: z.string(), at: z.string().optional() }),
]);

/** `chat --jsonl`: runs the whole bot over stdin and stdout, one JSON object per line each way. */
async function chat(args: string[]): Promise<number> {
  if (!args.includes('--jsonl')) {
    const { runConsole } = await import('./main.ts');
    return runConsole({ admins: optionValues(args, '--admin'), db: optionValues(args, '--db')[0] });
  }
  const { createRuntime } = await import('./runtime.ts');
  const { JsonlChannel } = await import('./channels/console-channel.ts');
  const channel = new JsonlChannel(out);
  const rt = await createRuntime({ dbPath: optionValues(args, '--db')[0], consoleAdmins: optionValues(args, '--admin'), channels: [channel], quiet: true });
  // Work queued by another process on the same database (PostgreSQL NOTIFY) is delivered at once, at the simulated
  // time of the last line plus the real time since, even while no line arrives here.
  let lastAt: Date | undefined;
  let lastAtWall = Date.now();
  const wake = (): void => {
    const now = lastAt ? new Date(lastAt.getTime() + (Date.now() - lastAtWall)) : new Date();
    void rt.runDue(now).catch((err: unknown) => rt.logger.error({ err: (err as Error)?.message ?? String(err) }, 'delivery pass failed; retried at the next line or tick'));
  };
  const stopWaking = rt.store.onWork?.(wake);
  // Short polling as well, so a crashed peer's claims are taken over once its lease lapses even when nothing is queued.
  const poll = stopWaking ? setInterval(wake, Math.max(500, Math.floor(rt.config.STORE_LEASE_MS / 2))) : undefined;
  poll?.unref();
  let n = 0;
  try {
    for await (const line of stdinLines()) {
      const lineNo = n++;
      if (!line.trim()) {
        out(JSON.stringify({ ack: lineNo }));
        continue;
      }
      let input: z.infer<typeof chatLineSchema>;
      try {
        input = chatLineSchema.parse(JSON.parse(line));
      } catch {
        out(JSON.stringify({ ack: lineNo, error: 'invalid input line: expected {"chat","user","text"} or {"tick":true,"at"}' }));
        continue;
      }
      const when = input.at ? parseInstant(input.at) : { at: new Date() };
      const at = when.at;
      if (Number.isNaN(at.getTime())) {
        out(JSON.stringify({ ack: lineNo, error: 'invalid "at" date', message: when.refusal }));
        continue;
      }
      lastAt = at;
      lastAtWall = Date.now();
      // Every line is acked, whatever fails: a storage failure shows as data.error "storage" and the loop goes on. A
      // message line's ack tells about the message; the delivery pass after it only counts for a tick line.
      let failure: string | undefined;
      try {
        if (!('tick' in input)) {
          const replies = await rt.bot.handle({ channel: channel.name, chat: input.chat, user: input.user, text: input.text, at });
          for (const r of replies) await channel.send(r);
          if (replies.some((r) => r.data?.error === 'storage')) failure = 'storage';
        }
      } catch (err) {
        failure = isStorageError(err) ? 'storage' : 'internal';
        rt.logger.error({ err: (err as Error)?.message ?? String(err), line: lineNo }, 'line failed');
      }
      try {
        await rt.runDue(at);
      } catch (err) {
        if ('tick' in input) failure ??= isStorageError(err) ? 'storage' : 'internal';
        rt.logger.error({ err: (err as Error)?.message ?? String(err), line: lineNo }, 'delivery pass failed; retried at the next line or tick');
      }
      out(JSON.stringify(failure ? { ack: lineNo, data: { error: failure } } : { ack: lineNo }));
    }
  } finally {
    if (poll) clearInterval(poll);
    stopWaking?.();
    await rt.close();
  }
  return 0;
}

/**
 * `staff-link <staff-id>`: prints a one-time sign-in URL for the web console (valid 10 minutes, one use). The address
 * and staff list come from the running console recorded in the database, and from the same configuration as
 * `npm start` (the environment over the `.env` file), so it works from another shell as the README says.
 */
async function staffLink(args: string[]): Promise<number> {
  const { loadConfig } = await import('./config.ts');
  const { consoleBaseUrl, resolveStaffIn, staffAddresses } = await import('./web/links.ts');
  const { createSignInToken } = await import('./web/console-db.ts');
  const { runningConsoles } = await import('./web/instances.ts');
  const { openStore } = await import('./storage/open-store.ts');
  const config = loadConfig();
  const id = args.find((a) => !a.startsWith('--') && !optionValues(args, '--db').includes(a) && !optionValues(args, '--admin').includes(a));
  if (!id) {
    process.stderr.write('用法 / usage: cli staff-link <staff-id>   (an ID from TELEGRAM_ADMIN_IDS, WECHAT_ADMIN_IDS or CONSOLE_ADMIN_IDS, optionally as channel:id)\n');
    return 2;
  }
  const store = await openStore({ databaseUrl: config.DATABASE_URL, dbPath: optionValues(args, '--db')[0] ?? config.DB_PATH, journalDir: config.SEND_JOURNAL_DIR });
  try {
    const running = (await runningConsoles(store, new Date()))[0];
    const staff = resolveStaffIn([...staffAddresses(config, optionValues(args, '--admin')), ...(running?.staff ?? [])], id);
    if (!staff) {
      process.stderr.write(`“${id.slice(0, 40)}”不是已配置的工作人员 ID，没有生成登录链接。/ not a configured staff ID; no link issued.\n`);
      return 1;
    }
    const base = config.WEB_PUBLIC_URL ?? running?.url ?? (config.WEB_PORT ? consoleBaseUrl(config) : undefined);
    if (!base) {
      process.stderr.write('没有找到正在运行的网页控制台，也没有设置 WEB_PORT：请先用 WEB_PORT=8080 npm start 启动控制台（可写在 .env 文件中）。/ no running console found and WEB_PORT is not set.\n');
      return 1;
    }
    out(`${base}/signin?token=${await createSignInToken(store, staff, new Date())}`);
  } finally {
    await store.close();
  }
  return 0;
}

/** `backup`: writes a verified online backup into `<db>.backups/` and keeps the newest N (`--keep`, default BACKUP_KEEP). */
async function backup(args: string[]): Promise<number> {
  const { loadConfig } = await import('./config.ts');
  const { SqliteStore } = await import('./storage/sqlite-store.ts');
  const { backupDatabase } = await import('./storage/backup.ts');
  const config = loadConfig();
  const keep = Number(optionValues(args, '--keep')[0] ?? config.BACKUP_KEEP);
  const store = await SqliteStore.open(optionValues(args, '--db')[0] ?? config.DB_PATH);
  try {
    const b = await backupDatabase(store, { keep: Number.isFinite(keep) ? keep : undefined });
    out(`备份完成，已校验 / backup written and verified: ${b.file} (${b.bytes} bytes)`);
    return 0;
  } finally {
    await store.close();
  }
}

/** `restore <file|latest>`: puts a verified backup in place of the database; refuses while a bot process holds it. */
async function restore(args: string[]): Promise<number> {
  const { loadConfig } = await import('./config.ts');
  const { listBackups, resolveBackup, restoreBackup } = await import('./storage/backup.ts');
  const db = optionValues(args, '--db')[0] ?? loadConfig().DB_PATH;
  const skip = new Set<number>();
  args.forEach((a, i) => {
    if (a === '--db') skip.add(i + 1);
  });
  const arg = args.find((a, i) => !a.startsWith('--') && !skip.has(i));
  const file = arg ? resolveBackup(db, arg) : undefined;
  if (!file) {
    const list = listBackups(db);
    process.stderr.write(
      `用法 / usage: cli restore <备份文件|latest> [--db PATH]\n${arg ? `找不到备份 / no such backup: ${arg}\n` : ''}` +
        (list.length ? `可用备份 / backups (newest first):\n${list.map((b) => `  ${b.file}  ${new Date(b.at).toISOString()}  ${b.bytes} bytes`).join('\n')}\n` : `没有备份 / no backups in ${db}.backups/\n`),
    );
    return 2;
  }
  const r = await restoreBackup(db, file, { force: args.includes('--force') });
  out(`已从备份恢复 / restored ${db} from ${r.from}`);
  if (r.movedAside) out(`原数据库已移到 / the replaced database was kept as ${r.movedAside}`);
  out(`从原数据库补回的记录 / rows carried over: ${JSON.stringify(r.salvaged)}; 已确认送达 / deliveries settled: ${r.settled}; 视为已送达 / in flight at backup time, assumed delivered: ${r.assumedSent}`);
  if (Object.keys(r.unreadable).length) out(`无法读取的部分（已跳过）/ unreadable parts skipped: ${JSON.stringify(r.unreadable)}`);
  return 0;
}

/** `migrate-store --from bot.db`: copies an existing SQLite database into the empty PostgreSQL database of DATABASE_URL. */
async function migrateStore(args: string[]): Promise<number> {
  const { loadConfig } = await import('./config.ts');
  const { existsSync } = await import('node:fs');
  const from = optionValues(args, '--from')[0];
  const config = loadConfig();
  if (!from || !config.DATABASE_URL) {
    process.stderr.write('用法 / usage: DATABASE_URL=postgres://… cli migrate-store --from bot.db   （先停止机器人 / stop the bot first）\n');
    return 2;
  }
  if (!existsSync(from)) {
    process.stderr.write(`找不到数据库文件 / no such database file: ${from}\n`);
    return 1;
  }
  const { SqliteStore } = await import('./storage/sqlite-store.ts');
  const { PostgresStore } = await import('./storage/postgres-store.ts');
  const { migrateSqliteToPostgres, MigrateRefused } = await import('./storage/migrate-store.ts');
  const source = await SqliteStore.open(from);
  try {
    const target = await PostgresStore.open(config.DATABASE_URL, { journalDir: config.SEND_JOURNAL_DIR });
    try {
      const counts = await migrateSqliteToPostgres(source, target);
      out(`已迁移到 PostgreSQL / copied into PostgreSQL: ${JSON.stringify(counts)}`);
      return 0;
    } catch (err) {
      if (!(err instanceof MigrateRefused)) throw err;
      process.stderr.write(`未迁移，什么也没有改动 / nothing copied: ${err.message}\n`);
      return 1;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** Entry point: dispatches on the sub-command. */
async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'ask':
      return ask(args);
    case 'ingest':
      return ingest();
    case 'chat':
      return chat(args);
    case 'precheck-lint':
      return precheckLint(args);
    case 'backup':
      return backup(args);
    case 'restore':
      return restore(args);
    case 'staff-link':
      return staffLink(args);
    case 'migrate-store':
      return migrateStore(args);
    default:
      process.stderr.write('用法 / usage:\n  cli ask [--json] [--at ISO] "<问题>"\n  cli ask --jsonl < questions.txt\n  cli ingest\n  cli precheck-lint <规则文件.json>\n  cli chat --jsonl [--db PATH] [--admin ID]...\n  cli staff-link <staff-id> [--db PATH]\n  cli backup [--db PATH] [--keep N]\n  cli restore <备份文件|latest> [--db PATH] [--force]\n  DATABASE_URL=postgres://… cli migrate-store --from bot.db\n');
      return cmd ? 2 : 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof DataError) process.stderr.write(`数据文件错误 / data error: ${err.message}\n`);
    else if (err instanceof StorageError) process.stderr.write(`数据库错误 / storage error: ${err.message}\n`);
    else process.stderr.write(`错误 / error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
