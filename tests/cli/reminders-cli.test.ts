import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runChat, tempDb, type BotLine, type ChatInput } from '../helpers/chat.ts';
import { ROOT } from '../helpers/run-cli.ts';

const day = (d: string) => `${d}T10:00:00+08:00`;
const tick = (d: string, time = '10:00:00'): ChatInput => ({ tick: true, at: `${d}T${time}+08:00` });
const say = (chat: string, text: string, d: string, user = chat): ChatInput => ({ chat, user, text, at: day(d) });
const reminders = (lines: BotLine[]) => lines.filter((m) => m.data?.reminder).map((m) => ({ chat: m.chat, ...m.data!.reminder }));

describe('publicity reminders through the CLI, with two restarts on one database', () => {
  it('sends start at once, exactly one ending in the last three days, exactly one end the day after', async () => {
    const db = tempDb();
    const run1 = await runChat(
      [say('e1', '/subscribe', '2026-01-04'), say('e2', '订阅通知', '2026-01-04'), say('e3', '/subscribe', '2026-01-04'), say('e3', '退订', '2026-01-04'), say('boss', '/publicity 2026-01-05 2025年度优秀奖拟获奖名单', '2026-01-05', 'staff1'), tick('2026-01-10'), tick('2026-01-11')],
      { db, admins: ['staff1'] },
    );
    const starts = reminders(run1.turns[4]);
    expect(starts.map((r) => r.chat).sort()).toEqual(['e1', 'e2']);
    expect(starts.every((r) => r.kind === 'publicity_start' && r.ends === '2026-01-14')).toBe(true);
    expect(reminders(run1.turns.slice(5).flat())).toEqual([]);

    const run2 = await runChat([tick('2026-01-12'), tick('2026-01-12'), tick('2026-01-13'), tick('2026-01-14')], { db, admins: ['staff1'] });
    const ending = reminders(run2.turns.flat());
    expect(ending.map((r) => `${r.chat}:${r.kind}`).sort()).toEqual(['e1:publicity_ending', 'e2:publicity_ending']);
    expect(run2.turns[0].filter((m) => m.data?.reminder).every((m) => /开平市市场监[督管]/.test(m.text) && /2026年1月14日|2026-01-14/.test(m.text))).toBe(true);

    const run3 = await runChat([tick('2026-01-15'), tick('2026-01-15'), tick('2026-01-20')], { db, admins: ['staff1'] });
    const end = reminders(run3.turns.flat());
    expect(end.map((r) => `${r.chat}:${r.kind}`).sort()).toEqual(['e1:publicity_end', 'e2:publicity_end']);
    expect(run3.turns[0]).toHaveLength(2);
  });

  it('refuses staff commands from anyone else, with data.error forbidden', async () => {
    const r = await runChat([say('x', '/publicity 2026-01-05', '2026-01-05'), say('x', '/broadcast hello', '2026-01-05')], { admins: ['staff1'] });
    for (const t of r.turns) {
      expect(t[0].data?.error).toBe('forbidden');
      expect(t[0].text).toMatch(/抱歉|仅限|只有/);
    }
  });
});

describe('award expiry reminders through the CLI', () => {
  it('sends 90, 30 and 7 days before and once after, only to the registering chat, across restarts', async () => {
    const db = tempDb();
    const run1 = await runChat([say('a', '/award 2024-03-01', '2026-11-01'), say('b', '/subscribe', '2026-11-01'), tick('2026-11-29'), tick('2026-11-30'), tick('2026-11-30')], { db });
    expect(run1.turns[0].some((m) => /2027年2月28日|2027-02-28/.test(m.text))).toBe(true);
    expect(reminders(run1.turns.flat())).toEqual([{ chat: 'a', kind: 'award_expiring', expires: '2027-02-28' }]);
    const run2 = await runChat([tick('2027-01-29'), tick('2027-02-21'), tick('2027-02-21', '18:00:00')], { db });
    expect(reminders(run2.turns.flat())).toEqual([
      { chat: 'a', kind: 'award_expiring', expires: '2027-02-28' },
      { chat: 'a', kind: 'award_expiring', expires: '2027-02-28' },
    ]);
    const run3 = await runChat([tick('2027-02-28'), tick('2027-03-01'), tick('2027-06-01')], { db });
    const after = reminders(run3.turns.flat());
    expect(after).toEqual([{ chat: 'a', kind: 'award_expired', expires: '2027-02-28' }]);
    expect(run3.turns[1].find((m) => m.data?.reminder)!.text).toMatch(/重新申报/);
  });

  it('registered after its 90-day mark had passed, the missed reminder is sent once, then the 30-day one on its day', async () => {
    const db = tempDb();
    // Awarded 2024-03-01, valid to 2027-02-28: the 90-day mark (2026-11-30) is already past on 2026-12-15.
    const run1 = await runChat([say('a', '/award 2024-03-01', '2026-12-15'), tick('2026-12-15'), tick('2026-12-15', '18:00:00'), tick('2026-12-16')], { db });
    const sent = run1.turns.flat().filter((m) => m.data?.reminder);
    expect(sent.map((m) => ({ chat: m.chat, ...m.data!.reminder }))).toEqual([{ chat: 'a', kind: 'award_expiring', expires: '2027-02-28' }]);
    expect(sent[0].text).toContain('还有75天到期');
    const run2 = await runChat([tick('2027-01-28'), tick('2027-01-29'), tick('2027-01-29', '18:00:00')], { db });
    expect(run2.turns[0].some((m) => m.data?.reminder)).toBe(false);
    expect(reminders(run2.turns.flat())).toEqual([{ chat: 'a', kind: 'award_expiring', expires: '2027-02-28' }]);
  });

  it('registers an award from words, lists it, removes it; after downtime sends only the latest reminder', async () => {
    const db = tempDb();
    const r = await runChat([say('a', '我们2024年3月1日获得了优秀奖', '2026-11-01'), say('a', '/awards', '2026-11-01'), tick('2027-02-25')], { db });
    expect(r.turns[1][0].text).toMatch(/2024-03-01|2024年3月1日/);
    expect(reminders(r.turns[2])).toEqual([{ chat: 'a', kind: 'award_expiring', expires: '2027-02-28' }]);
    const id = /#?(\d+)/.exec(r.turns[1][0].text)![1];
    const r2 = await runChat([say('a', `/awards remove ${id}`, '2027-02-26'), tick('2027-03-05')], { db });
    expect(r2.turns[0][0].text).toMatch(/删除|移除/);
    expect(reminders(r2.turns[1])).toEqual([]);
  });
});

describe('broadcasts', () => {
  it('deliver text with quotes, SQL and HTML unchanged, never to an unsubscribed chat, and report to the sender', async () => {
    const text = `明天"开会" '); DROP TABLE outbox; -- <script>alert('x')</script> & 水口镇`;
    const r = await runChat(
      [say('a', '/subscribe 水口镇', '2026-01-01'), say('b', '/subscribe', '2026-01-01'), say('c', '/subscribe', '2026-01-01'), say('c', '/unsubscribe', '2026-01-01'), say('s', `/broadcast ${text}`, '2026-01-02', 'staff1'), say('s', `/broadcast --tag 水口镇 只发水口`, '2026-01-02', 'staff1')],
      { admins: ['staff1'] },
    );
    const all = r.turns[4].filter((m) => m.data?.broadcast);
    expect(all.map((m) => m.chat).sort()).toEqual(['a', 'b']);
    expect(all.every((m) => m.text === text)).toBe(true);
    expect(r.turns[4].some((m) => m.chat === 's' && /已送达\s*2/.test(m.text))).toBe(true);
    expect(r.turns[5].filter((m) => m.data?.broadcast).map((m) => m.chat)).toEqual(['a']);
  });

  it('after kill -9 in the middle of a broadcast to 1,000 subscribers, a restart delivers to everyone exactly once', async () => {
    const db = tempDb();
    const subs: ChatInput[] = Array.from({ length: 1000 }, (_, i) => say(`sub${i}`, '/subscribe', '2026-03-01'));
    await runChat(subs, { db });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'chat', '--jsonl', '--db', db, '--admin', 'staff1'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'silent' } });
      let buf = '';
      let killed = false;
      child.stdout.on('data', (d) => {
        buf += d;
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          const o = JSON.parse(l);
          if (o.data?.broadcast) seen.push(o.chat);
        }
        if (!killed && seen.length >= 50) {
          killed = true;
          child.kill('SIGKILL');
        }
      });
      child.on('error', reject);
      child.on('close', () => resolve());
      child.stdin.write(`${JSON.stringify(say('boss', '/broadcast 紧急通知：请于本周五前提交材料', '2026-03-02', 'staff1'))}\n`);
    });
    expect(seen.length).toBeGreaterThanOrEqual(50);
    const rest = await runChat([tick('2026-03-02', '10:05:00'), tick('2026-03-02', '10:05:00')], { db, admins: ['staff1'] });
    for (const m of rest.turns.flat()) if (m.data?.broadcast) seen.push(m.chat);
    const counts = new Map<string, number>();
    for (const c of seen) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(1000);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });
});
