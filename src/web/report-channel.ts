/** The "web" channel: broadcast reports for staff who sent from the console land here instead of in a chat. */
import type { Channel, MessageHandler } from '../core/channel.ts';
import type { OutgoingMessage } from '../core/types.ts';

/** Channel name of the staff console. */
export const WEB_CHANNEL = 'web';

/** Keeps the latest reports addressed to console staff, for the overview page. */
export class WebReportChannel implements Channel {
  readonly name = WEB_CHANNEL;
  readonly minSendIntervalMs = 0;
  private readonly latest: (OutgoingMessage & { at: number })[] = [];

  /** The console receives no chat messages. */
  async start(_onMessage: MessageHandler): Promise<void> {}

  /** Records a report (newest first, the last 20 kept). */
  async send(msg: OutgoingMessage): Promise<void> {
    this.latest.unshift({ ...msg, at: Date.now() });
    this.latest.length = Math.min(this.latest.length, 20);
  }

  /** Reports received, newest first. */
  reports(): readonly (OutgoingMessage & { at: number })[] {
    return this.latest;
  }

  /** Nothing to release. */
  async stop(): Promise<void> {}
}
