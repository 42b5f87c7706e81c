/** How the console names channels, chats and staff for a clerk: in Chinese, never as an internal "channel:id" key. */

const CHANNEL_NAMES: Record<string, string> = { telegram: 'Telegram', wechat: '微信', console: '终端', web: '网页控制台' };

/** A channel's display name. */
export function channelName(c: string): string {
  return CHANNEL_NAMES[c] ?? '其他渠道';
}

/** A chat as a clerk reads it: "微信联系人（编号 wxid_1）", "Telegram 用户（编号 111）", "终端会话（编号 c01）". */
export function chatName(channel: string, chat: string): string {
  const who = channel === 'wechat' ? '微信联系人' : channel === 'telegram' ? (chat.startsWith('-') ? 'Telegram 群' : 'Telegram 用户') : channel === 'console' ? '终端会话' : channel === 'web' ? '网页控制台' : '聊天';
  return `${who}（编号 ${chat}）`;
}

/** A chat as a clerk reads it, led by the company's name when the chat gave one: "华艺卫浴有限公司（微信联系人，编号 wxid_1）". */
export function companyChatName(channel: string, chat: string, company: string | undefined): string {
  return company ? `${company}（${chatName(channel, chat).replace('（', '，')}` : chatName(channel, chat);
}

/**
 * A staff member or author as a clerk reads it. Accepts the forms the store holds: "console:staff1" (a console
 * session), "web:console:staff1" (made in the console), "telegram:42:42" (channel, chat, user of a chat command).
 */
export function staffName(address: string): string {
  if (address === 'anonymous' || address === '') return '未登录的访客';
  const parts = address.split(':');
  const [channel, ...rest] = parts[0] === 'web' && parts.length > 2 ? parts.slice(1) : parts;
  const id = rest[rest.length - 1] ?? channel;
  const via = parts[0] === 'web' ? '（在网页控制台）' : '';
  if (channel === 'console') return id === 'local' ? `服务器终端的工作人员${via}` : `工作人员 ${id}${via}`;
  if (channel === 'telegram') return `Telegram 工作人员（编号 ${id}）${via}`;
  if (channel === 'wechat') return `微信工作人员（编号 ${id}）${via}`;
  return `工作人员 ${id}${via}`;
}
