/** The scheduling capabilities as handlers: staff commands, award registration and subscriptions. */
import type { Handler } from '../handler.ts';
import type { SchedulingStore } from '../../storage/store.ts';
import type { SchedulingHooks } from '../../scheduling/commands.ts';
import { createAwardHandler } from './award-handler.ts';
import { createStaffHandler } from './staff-handler.ts';
import { createSubscriptionHandler } from './subscription-handler.ts';

/** Callbacks the scheduling handlers fire (re-exported for the application). */
export type { SchedulingHooks } from '../../scheduling/commands.ts';

/** Builds the scheduling handlers in the order the dispatcher should try them (before policy answers). */
export function createSchedulingHandlers(store: SchedulingStore, hooks: SchedulingHooks = {}): Handler[] {
  return [createStaffHandler(store, hooks), createAwardHandler(store), createSubscriptionHandler(store)];
}
