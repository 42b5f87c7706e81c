/** Pure helpers of the channels: numbered choices, HTML escaping, splitting, callback data and group addressing. */
import { describe, expect, it } from 'vitest';
import { ChoiceMemory, parseChoiceNumber, parseChoiceReply, plainText, renderChoicesText } from '../../src/channels/choices-text.ts';
import { addressedText, escapeHtml, fitsCallbackData, keyboardRows, splitText } from '../../src/channels/telegram-format.ts';
import { toSendError } from '../../src/channels/telegram-channel.ts';
import { PermanentSendError, TemporarySendError } from '../../src/core/channel.ts';
import { GrammyError, HttpError } from 'grammy';

const yesNo = [
  { label: '是', value: 'yes' },
  { label: '否', value: 'no' },
];

describe('numbered choices', () => {
  it('renders few short choices on one line and many as a list', () => {
    expect(renderChoicesText('是否在开平注册？', yesNo)).toBe('是否在开平注册？\n\n回复 1 表示 是，回复 2 表示 否');
    const many = ['水暖卫浴', '陶瓷', '五金', '其他行业'].map((l) => ({ label: l, value: l }));
    expect(renderChoicesText('主营产品？', many)).toBe('主营产品？\n\n请回复序号：\n1. 水暖卫浴\n2. 陶瓷\n3. 五金\n4. 其他行业');
    expect(renderChoicesText('', yesNo)).toBe('回复 1 表示 是，回复 2 表示 否');
  });

  it('reads numbers in the ways people type them', () => {
    for (const [reply, n] of [
      ['1', 1],
      [' 2 ', 2],
      ['１', 1],
      ['回复2', 2],
      ['回复 1', 1],
      ['选2', 2],
      ['第一个', 1],
      ['二', 2],
      ['(1)', 1],
      ['1。', 1],
      ['10', 10],
    ] as const) {
      expect(parseChoiceNumber(reply), reply).toBe(n);
    }
    for (const reply of ['12345', '1年', '0', '我选1号方案吧', '']) expect(parseChoiceNumber(reply), reply).toBeUndefined();
  });

  it('maps replies to values by number or exact label, and nothing else', () => {
    expect(parseChoiceReply('1', yesNo)).toBe('yes');
    expect(parseChoiceReply('2', yesNo)).toBe('no');
    expect(parseChoiceReply('3', yesNo)).toBeUndefined();
    expect(parseChoiceReply('否。', yesNo)).toBe('no');
    expect(parseChoiceReply('否则呢', yesNo)).toBeUndefined();
  });

  it('remembers the last choices per chat; plain replies clear them, notices do not', () => {
    const mem = new ChoiceMemory();
    mem.noteSent({ chat: 'a', text: 'q', choices: yesNo });
    mem.noteSent({ chat: 'a', text: '提醒', data: { reminder: { kind: 'award_expiring' } } });
    expect(mem.resolve('b', '1')).toBe('1');
    expect(mem.resolve('a', '随便说说')).toBe('随便说说');
    expect(mem.resolve('a', '1')).toBe('yes');
    expect(mem.resolve('a', '1')).toBe('1'); // used up
    mem.noteSent({ chat: 'a', text: 'q', choices: yesNo });
    mem.noteSent({ chat: 'a', text: '注册几年了？' });
    expect(mem.resolve('a', '1')).toBe('1');
    const t0 = 1_000_000;
    mem.noteSent({ chat: 'a', text: 'q', choices: yesNo }, t0);
    expect(mem.resolve('a', '1', t0 + 25 * 3600 * 1000)).toBe('1'); // expired
  });
});

describe('Telegram formatting', () => {
  it('escapes &, < and >', () => {
    expect(escapeHtml('<b>A&B</b> "x"')).toBe('&lt;b&gt;A&amp;B&lt;/b&gt; "x"');
  });

  it('splits long text at paragraph breaks and keeps short text whole', () => {
    expect(splitText('短文本')).toEqual(['短文本']);
    const para = 'x'.repeat(3000);
    expect(splitText(`${para}\n\n${para}`)).toEqual([para, para]);
    const parts = splitText('字'.repeat(9000));
    expect(parts.map((p) => p.length)).toEqual([4000, 4000, 1000]);
  });

  it('checks callback data size in bytes', () => {
    expect(fitsCallbackData('是')).toBe(true);
    expect(fitsCallbackData('')).toBe(false);
    expect(fitsCallbackData('汉'.repeat(21))).toBe(true); // 63 bytes
    expect(fitsCallbackData('汉'.repeat(22))).toBe(false); // 66 bytes
  });

  it('lays out short choices in one row and long ones one per row', () => {
    expect(keyboardRows(yesNo, (c) => c.label)).toEqual([['是', '否']]);
    const long = ['符合全部条件并申请', '暂不申请，先了解', '联系工作人员'].map((l) => ({ label: l, value: l }));
    expect(keyboardRows(long, (c) => c.label)).toEqual([[long[0].label], [long[1].label], [long[2].label]]);
  });

  it('decides what a group message addresses to the bot', () => {
    expect(addressedText('你好', 'PolicyBot', false)).toBe('你好');
    expect(addressedText('/precheck@PolicyBot', 'PolicyBot', false)).toBe('/precheck');
    expect(addressedText('大家好', 'PolicyBot', true)).toBeUndefined();
    expect(addressedText('@policybot 奖金多少', 'PolicyBot', true)).toBe('奖金多少');
    expect(addressedText('请问 @PolicyBot 公示期多久', 'PolicyBot', true)).toBe('请问 公示期多久');
    expect(addressedText('@PolicyBotFan 你好', 'PolicyBot', true)).toBeUndefined();
    expect(addressedText('/help', 'PolicyBot', true)).toBe('/help');
    expect(addressedText('/award@PolicyBot 2024-03-01', 'PolicyBot', true)).toBe('/award 2024-03-01');
    expect(addressedText('/help@OtherBot', 'PolicyBot', true)).toBeUndefined();
  });
});

describe('Telegram error mapping', () => {
  const grammyError = (code: number, description: string, parameters = {}) =>
    new GrammyError('Call failed', { ok: false, error_code: code, description, parameters }, 'sendMessage', {});

  it('maps rate limits, server and network errors to temporary, refusals to permanent', () => {
    const limited = toSendError(grammyError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }));
    expect(limited).toBeInstanceOf(TemporarySendError);
    expect((limited as TemporarySendError).retryAfterMs).toBe(7000);
    expect(toSendError(grammyError(500, 'Internal Server Error'))).toBeInstanceOf(TemporarySendError);
    expect(toSendError(new HttpError('Network request failed', new Error('ECONNRESET')))).toBeInstanceOf(TemporarySendError);
    expect(toSendError(grammyError(403, 'Forbidden: bot was blocked by the user'))).toBeInstanceOf(PermanentSendError);
    expect(toSendError(grammyError(400, 'Bad Request: chat not found'))).toBeInstanceOf(PermanentSendError);
    expect(toSendError(grammyError(401, 'Unauthorized'))).toBeInstanceOf(TemporarySendError);
  });
});

describe('plain-text channels', () => {
  it('offer 回复 原文 when a whole clause is behind a message, and numbered choices before that', () => {
    expect(plainText({ chat: 'c', text: '答复', more: { value: '原文', text: '全文' } })).toBe('答复\n回复 原文 查看全文');
    expect(plainText({ chat: 'c', text: '答复' })).toBe('答复');
    expect(plainText({ chat: 'c', text: '是吗？', choices: [{ label: '是', value: '是' }, { label: '否', value: '否' }] })).toBe('是吗？\n\n回复 1 表示 是，回复 2 表示 否');
  });
});
