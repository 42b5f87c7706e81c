import { describe, expect, it } from 'vitest';
import { runChat, tempDb } from '../helpers/chat.ts';
import { docIdOf } from '../helpers/knowledge.ts';

const at = (min: number) => new Date(Date.parse('2026-11-22T10:00:00+08:00') + min * 60_000).toISOString();

describe('chat --jsonl carries the conversation across a restart', () => {
  it('keeps the topic, "原文" and a running pre-check when the process is ended and started again on the same file', async () => {
    const db = tempDb();
    const first = await runChat(
      [
        { chat: 'a', text: '江门2025年质量管理体系认证目标多少家', at: at(0) },
        { chat: 'b', text: '我们想申请开平的水暖卫浴优秀奖，帮我预检一下', at: at(0) },
      ],
      { db },
    );
    expect(first.turns[0][0].data?.topic).toMatchObject({ docs: [docIdOf('jiangmen')], use: 'new' });
    const asked = first.turns[1].at(-1)?.data?.precheck?.ask;
    expect(asked).toBeTruthy();

    const second = await runChat(
      [
        { chat: 'a', text: '中山呢？', at: at(2) },
        { chat: 'a', text: '原文', at: at(3) },
        { chat: 'b', text: '奖金多少', at: at(3) },
        { chat: 'a', text: '那公示几天？', at: at(120) },
      ],
      { db },
    );
    const zs = second.turns[0][0];
    expect(zs.data?.topic).toMatchObject({ docs: [docIdOf('zhongshan')], use: 'what-about' });
    expect(zs.text).toContain('质量管理体系');
    expect(second.turns[1][0].text).toMatch(/^《中山市工业产品质量提升三年行动计划\(2018-2020年\)》.*全文：/);
    // A question in the middle of the form, after the restart: answered about the award, then the same question again.
    expect(second.turns[2].map((m) => m.text).join('\n')).toContain('3000元');
    expect(second.turns[2].at(-1)?.data?.precheck?.ask).toBe(asked);
    // Two hours later the topic has lapsed: the question stands alone.
    expect(second.turns[3][0].data?.topic?.use ?? 'new').toBe('new');
  });
});
