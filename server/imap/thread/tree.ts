// A thread tree (RFC 5256 §4): containers holding a message or standing in for one that is not
// there (a dummy), ordered by sent date, and written as the THREAD response's nested lists.
import type { ThreadMessage } from './messages.js';

export interface Container {
  message: ThreadMessage | null;
  parent: Container | null;
  children: Container[];
}

export function container(message: ThreadMessage | null = null): Container {
  return { message, parent: null, children: [] };
}

/** Makes `child` a child of `parent` (last), taking it from its parent first. */
export function link(parent: Container, child: Container): void {
  unlink(child);
  child.parent = parent;
  parent.children.push(child);
}

export function unlink(child: Container): void {
  if (!child.parent) return;
  const siblings = child.parent.children;
  siblings.splice(siblings.indexOf(child), 1);
  child.parent = null;
}

/** Is `node` `ancestor` or below it? (Linking `node` as `ancestor`'s parent would make a loop.) */
export function isWithin(node: Container, ancestor: Container): boolean {
  for (let at: Container | null = node; at; at = at.parent) if (at === ancestor) return true;
  return false;
}

/** The message a container is ordered by: its own, or its first child's (dummies; after sorting). */
function representative(node: Container): ThreadMessage | null {
  let at: Container | undefined = node;
  while (at && !at.message) at = at.children[0];
  return at?.message ?? null;
}

/** By sent date, then by message number (RFC 5256 §4). */
export function compareContainers(a: Container, b: Container): number {
  const x = representative(a);
  const y = representative(b);
  if (!x || !y) return x ? -1 : y ? 1 : 0;
  return x.date - y.date || x.seq - y.seq;
}

/** Sorts every set of siblings below the given ones, the deepest first, then the given ones. */
export function sortTree(nodes: Container[]): void {
  for (const node of nodes) sortTree(node.children);
  nodes.sort(compareContainers);
}

/**
 * The THREAD response's threads (RFC 5256 §4): "(a b c)" for a chain, "(a (b c)(d))" where a
 * message has several children, "((b)(c))" under a dummy; message numbers or UIDs.
 */
export function formatThreads(roots: Container[], byUid: boolean): string {
  const number = (m: ThreadMessage) => String(byUid ? m.uid : m.seq);
  const members = (node: Container): string => {
    const parts: string[] = [];
    let at = node;
    for (;;) {
      if (at.message) parts.push(number(at.message));
      if (at.children.length !== 1) break;
      at = at.children[0]!;
    }
    if (at.children.length > 1) parts.push(at.children.map((child) => `(${members(child)})`).join(''));
    return parts.join(' ');
  };
  return roots.map((root) => `(${members(root)})`).join('');
}
