// While a session waits — in IDLE, or between commands under NOTIFY — the changes it is told of
// are written as they come: one push at a time, out of the store's event (after its transaction).
export class UpdatePusher {
  private scheduled = false;
  private stopped = false;
  private pushing: Promise<void> = Promise.resolve();

  constructor(private readonly push: () => Promise<void>) {}

  /** Something changed: push soon (changes arriving together go out together). */
  readonly trigger = (): void => {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.stopped) this.then(this.push);
    });
  };

  /** Runs a task after the pushes before it (a keep-alive line). */
  then(task: () => Promise<void>): void {
    this.pushing = this.pushing.then(task).catch(() => {});
  }

  /** No more pushes; resolves once the last one is written. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.pushing;
  }
}
