// THREAD=ORDEREDSUBJECT (RFC 5256 §3): messages sorted by base subject, then sent date; each run
// of one subject is a thread whose first message has the others as children; the threads ordered
// by the sent date of their first message.
import type { ThreadMessage } from './messages.js';
import { compareContainers, container, link, type Container } from './tree.js';

export function threadByOrderedSubject(messages: ThreadMessage[]): Container[] {
  const sorted = [...messages].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.date - b.date || a.seq - b.seq));
  const threads: Container[] = [];
  let first: Container | null = null;
  for (const message of sorted) {
    const node = container(message);
    if (first && first.message!.subject === message.subject) link(first, node);
    else threads.push((first = node));
  }
  return threads.sort(compareContainers);
}
