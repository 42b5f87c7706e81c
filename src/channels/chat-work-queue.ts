/**
 * Stored updates handled with bounded concurrency: one at a time per chat, in arrival order within a chat. The next
 * one comes from the chat with the fewest updates waiting, then the oldest: a person in a step-by-step dialogue has
 * one waiting, so their step is not queued behind a burst of other people's questions.
 */
export class ChatWorkQueue {
  private readonly waiting = new Map<string, { seq: number; run: () => Promise<void> }[]>();
  private readonly busy = new Set<string>();
  private active = 0;
  private seq = 0;

  constructor(private readonly limit: number) {}

  /** Queues work for a chat; resolves when it has run (it must not reject). */
  push(chat: string, work: () => Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const items = this.waiting.get(chat) ?? [];
      items.push({ seq: this.seq++, run: () => work().then(resolve, resolve) });
      this.waiting.set(chat, items);
      this.pump();
    });
  }

  /** Updates waiting, not yet started. */
  get queued(): number {
    let n = 0;
    for (const items of this.waiting.values()) n += items.length;
    return n;
  }

  private pump(): void {
    while (this.active < this.limit) {
      let best: string | undefined;
      let bestLen = Infinity;
      let bestSeq = Infinity;
      for (const [chat, items] of this.waiting) {
        if (this.busy.has(chat)) continue;
        if (items.length < bestLen || (items.length === bestLen && items[0].seq < bestSeq)) {
          best = chat;
          bestLen = items.length;
          bestSeq = items[0].seq;
        }
      }
      if (best === undefined) return;
      const chat = best;
      const items = this.waiting.get(chat)!;
      const next = items.shift()!;
      if (items.length === 0) this.waiting.delete(chat);
      this.busy.add(chat);
      this.active++;
      void next.run().finally(() => {
        this.busy.delete(chat);
        this.active--;
        this.pump();
      });
    }
  }
}
