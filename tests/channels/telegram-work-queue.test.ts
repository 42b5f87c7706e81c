/** Stored Telegram updates are handled fairly: each chat in order, one at a time, the chat with fewest waiting first. */
import { describe, expect, it } from 'vitest';
import { ChatWorkQueue } from '../../src/channels/chat-work-queue.ts';

describe('ChatWorkQueue', () => {
  it('takes a person with one update waiting before a burst user\'s later questions, keeping each chat in order', async () => {
    const q = new ChatWorkQueue(1);
    const ran: string[] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const done: Promise<void>[] = [q.push('burst', async () => (ran.push('burst#1'), first))];
    for (let i = 2; i <= 5; i++) done.push(q.push('burst', async () => void ran.push(`burst#${i}`)));
    done.push(q.push('person', async () => void ran.push('person#1')));
    expect(q.queued).toBe(5);
    release();
    await Promise.all(done);
    expect(ran).toEqual(['burst#1', 'person#1', 'burst#2', 'burst#3', 'burst#4', 'burst#5']);
  });

  it('never runs two updates of one chat at once, and runs up to the limit across chats', async () => {
    const q = new ChatWorkQueue(3);
    let running = 0;
    let peak = 0;
    const perChat = new Map<string, number>();
    const work = (chat: string) => async () => {
      perChat.set(chat, (perChat.get(chat) ?? 0) + 1);
      expect(perChat.get(chat)).toBe(1);
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      perChat.set(chat, perChat.get(chat)! - 1);
    };
    await Promise.all(['a', 'a', 'b', 'b', 'c', 'c', 'd', 'a'].map((c) => q.push(c, work(c))));
    expect(peak).toBe(3);
  });
});
