import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAwardFile } from '../../src/dialogue/award-loader.ts';
import type { AwardRules } from '../../src/dialogue/award-rules.ts';
import { converse, emptyChatState, type ChatState } from '../../src/dialogue/conversation.ts';
import { ROOT } from '../helpers/run-cli.ts';

/** A pre-check whose award rules file changes between two messages (the pure conversation, the awards passed in). */
const Z = loadAwardFile(join(ROOT, 'tests/fixtures/awards/zhengzhou-mayor-quality.json'));
const NOW = new Date('2026-11-22T10:00:00+08:00');

const turn = (state: ChatState, text: string, awards: readonly AwardRules[]) =>
  converse(state, { text, command: text.startsWith('/') ? text.split(' ')[0] : undefined, args: text.split(' ').slice(1).join(' '), intent: 'unknown', now: NOW }, { answer: () => ({ found: false, answer: '', intent: 'unknown', citations: [] }) as never, awards });
type Pre = { precheck?: { ask?: string; rulesChanged?: string } } | undefined;
const pre = (x: { data?: unknown } | undefined) => (x?.data as Pre)?.precheck;
const asked = (r: ReturnType<typeof turn>) => pre(r.replies.at(-1))?.ask;

describe('a pre-check whose rules file changes while it waits', () => {
  it('an unchanged file says nothing; an edit keeps the answers and says so once', () => {
    let r = turn(emptyChatState(), '/precheck', [Z]);
    const first = asked(r)!;
    r = turn(r.state, '是', [Z]);
    const second = asked(r)!;
    expect(r.replies.map((x) => x.text).join('')).not.toContain('预检条件刚刚更新');
    const edited: AwardRules = { ...Z, nextSteps: [...Z.nextSteps, '新增的一步。'] };
    const after = turn(r.state, '/back', [edited]);
    expect(pre(after.replies[0])).toEqual({ rulesChanged: 'edited', award: Z.id });
    expect(asked(after)).toBe(first);
    const again = turn(after.state, '是', [edited]);
    expect(again.replies.some((x) => pre(x)?.rulesChanged)).toBe(false);
    expect(asked(again)).toBe(second);
  });

  it('when the question being asked is removed, the check starts again under the new rules, reusing the answers that still fit', () => {
    let r = turn(emptyChatState(), '/precheck', [Z]);
    const first = asked(r)!;
    r = turn(r.state, '是', [Z]);
    const waiting = asked(r)!;
    const edited: AwardRules = { ...Z, criteria: Z.criteria.filter((c) => c.slot !== waiting), groups: Z.groups };
    const after = turn(r.state, '是', [edited]);
    expect(after.replies[0].text).toContain('预检条件刚刚更新');
    expect(after.state.precheck?.answers[first]).toBe(true);
    expect(after.state.precheck?.answers[waiting]).toBeUndefined();
    const next = asked(after);
    expect(next).toBeDefined();
    expect([first, waiting]).not.toContain(next);
  });

  it('when the award\'s file is removed, the check ends politely and the message is not read as anything else', () => {
    const r = turn(emptyChatState(), '/precheck', [Z]);
    const after = turn(r.state, '是', []);
    expect(after.handled).toBe(true);
    expect(after.replies).toHaveLength(1);
    expect(after.replies[0].text).toContain('已被撤下');
    expect(after.state.precheck).toBeUndefined();
    // Said once: the next message is handled as usual.
    expect(turn(after.state, '你好', []).replies.some((x) => pre(x)?.rulesChanged)).toBe(false);
  });
});
