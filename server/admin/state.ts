// What the admin API's routes share: the engine, the traffic counter, the outbound queue, the
// classes and the first-run bookkeeping.
import { Classes } from '../accounts/classes.js';
import type { OutboundQueue } from '../delivery/queue.js';
import type { Engine } from '../engine.js';
import type { Traffic } from './traffic.js';

const SETUP_DONE_KEY = 'setup_done';

export class AdminState {
  /** Set once the window has shown the first-start password (it is shown only once). */
  firstStartShown = false;
  readonly classes: Classes;

  constructor(
    readonly engine: Engine,
    readonly traffic: Traffic,
    readonly queue: OutboundQueue,
  ) {
    const { db, accounts, mailStore, settings } = engine.context;
    this.classes = new Classes(db, accounts, mailStore, settings);
  }

  get context() {
    return this.engine.context;
  }

  /** Has the first-run wizard been completed (or skipped) for this data folder? */
  setupDone(): boolean {
    return this.context.mailStore.meta.get(SETUP_DONE_KEY) !== undefined;
  }

  markSetupDone(): void {
    this.context.mailStore.meta.set(SETUP_DONE_KEY, new Date().toISOString());
  }
}
