import { describe, expect, it } from 'vitest';
import { runChat } from '../helpers/chat.ts';

const at = '2026-06-01T10:00:00+08:00';

describe('the whole clause is one reply away', () => {
  it('offers 回复 原文 after a trimmed answer and sends the whole clause when asked', async () => {
    const r = await runChat([
      { chat: 'a', text: '原文', at },
      { chat: 'a', text: '江门管理体系认证目标多少家', at },
      { chat: 'a', text: '原文', at },
      { chat: 'b', text: '原文', at },
    ]);
    expect(r.turns[0][0].text).toMatch(/请先提一个政策问题/);
    const answer = r.turns[1][0].text;
    expect(answer).toMatch(/回复 原文 查看全文$/);
    expect(answer).not.toContain('2800家');
    const whole = r.turns[2][0].text;
    expect(whole).toMatch(/^《江门市加强质量认证体系建设促进全面质量管理实施方案》一、全文：/);
    expect(whole).toContain('2800家');
    // Another chat has asked nothing yet.
    expect(r.turns[3][0].text).toMatch(/请先提一个政策问题/);
  });
});
