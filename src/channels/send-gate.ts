/** A platform-wide send pace that lets urgent messages go first: one turn every `minIntervalMs`, by urgency, then arrival. */

import type { OutgoingMessage } from '../core/types.ts';

/** Urgency ranks, lower first. */
const RANK = { step: 0, reply: 1, bulk: 2 } as const;

/** Hands out send turns at a fixed pace; a waiting step goes before waiting answers, and those before bulk sends. */
export class SendGate {
  private readonly waiting: { rank: number; seq: number; go: () => void }[] = [];
  private seq = 0;
  private nextAt = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly minIntervalMs: number) {}

  /** Resolves when this send may go. */
  turn(urgency: keyof typeof RANK): Promise<void> {
    return new Promise((go) => {
      this.waiting.push({ rank: RANK[urgency], seq: this.seq++, go });
      this.pump();
    });
  }

  /** Number of sends waiting for a turn. */
  get queued(): number {
    return this.waiting.length;
  }

  private pump(): void {
    if (this.timer || this.waiting.length === 0) return;
    const wait = this.nextAt - performance.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    let best = 0;
    for (let i = 1; i < this.waiting.length; i++) {
      const w = this.waiting[i];
      const b = this.waiting[best];
      if (w.rank < b.rank || (w.rank === b.rank && w.seq < b.seq)) best = i;
    }
    const [next] = this.waiting.splice(best, 1);
    this.nextAt = performance.now() + this.minIntervalMs;
    next.go();
    this.pump();
  }
}

/** A message's urgency: as set, else a step when it asks the person to choose or is part of a pre-check, else an answer. */
export function urgencyOf(msg: OutgoingMessage): keyof typeof RANK {
  if (msg.urgency) return msg.urgency;
  return msg.choices?.length || (msg.data !== undefined && 'precheck' in msg.data) ? 'step' : 'reply';
}
