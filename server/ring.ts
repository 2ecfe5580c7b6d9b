// The last N items of a stream (log lines, transcript lines), oldest first, without moving the
// others on every push.
export class Ring<T> {
  private readonly items: T[] = [];
  /** How many items were ever pushed. */
  private pushed = 0;

  constructor(private readonly size: number) {}

  push(item: T): void {
    this.items[this.pushed++ % this.size] = item;
  }

  toArray(): T[] {
    if (this.pushed <= this.size) return this.items.slice();
    const start = this.pushed % this.size;
    return [...this.items.slice(start), ...this.items.slice(0, start)];
  }
}
