// THREAD=REFERENCES (RFC 5256 §3): threads from Message-ID, References and In-Reply-To (the
// algorithm of Netscape's mail client, by Jamie Zawinski), then roots of the same base subject
// gathered, every level ordered by sent date.
import type { ThreadMessage } from './messages.js';
import { compareContainers, container, isWithin, link, sortTree, unlink, type Container } from './tree.js';

export function threadByReferences(messages: ThreadMessage[]): Container[] {
  const all = linkMessages(messages);
  const roots = prune(all.filter((c) => !c.parent), true);
  // (4) the roots by date, a dummy by its first child
  for (const root of roots) if (!root.message) root.children.sort(compareContainers);
  roots.sort(compareContainers);
  const grouped = groupBySubject(roots);
  // (6) every level by date
  sortTree(grouped);
  return grouped;
}

/** (1) A container per Message-ID, linked as References say, without ever making a loop. */
function linkMessages(messages: ThreadMessage[]): Container[] {
  const byId = new Map<string, Container>();
  const all: Container[] = [];
  const forId = (id: string): Container => {
    let found = byId.get(id);
    if (!found) {
      found = container();
      byId.set(id, found);
      all.push(found);
    }
    return found;
  };
  for (const message of messages) {
    // a second message with the same Message-ID (or one without) gets a container of its own
    let own = message.messageId ? forId(message.messageId) : null;
    if (!own || own.message) {
      own = container();
      all.push(own);
    }
    own.message = message;
    // (1A) each reference the parent of the next, unless already linked or that would make a loop
    let previous: Container | null = null;
    for (const id of message.references) {
      const reference = forId(id);
      if (previous && !reference.parent && !isWithin(previous, reference)) link(previous, reference);
      previous = reference;
    }
    // (1B) the last reference is the parent: it replaces a parent guessed from others' References
    unlink(own);
    if (previous && !isWithin(previous, own)) link(previous, own);
  }
  return all;
}

/**
 * (3) Dummies go: one without children is dropped, one with children gives them to its own
 * level — except at the root, where it stays when it holds more than one.
 */
function prune(nodes: Container[], atRoot: boolean): Container[] {
  const out: Container[] = [];
  for (const node of nodes) {
    node.children = prune(node.children, false);
    for (const child of node.children) child.parent = node;
    if (node.message || (atRoot && node.children.length > 1)) out.push(node);
    else for (const child of node.children) out.push(child);
  }
  if (atRoot) for (const node of out) node.parent = null;
  return out;
}

function subjectOf(node: Container): ThreadMessage | null {
  return node.message ?? node.children[0]?.message ?? null;
}

/** (5) Roots with the same base subject become one thread. */
function groupBySubject(roots: Container[]): Container[] {
  const table = new Map<string, Container>();
  for (const root of roots) {
    const message = subjectOf(root);
    if (!message?.subject) continue;
    const held = table.get(message.subject);
    // a dummy wins over a message, and a message that is no reply over one that is
    if (!held || (!root.message && held.message) || (held.message?.reply && root.message && !root.message.reply)) table.set(message.subject, root);
  }
  const out: Container[] = [];
  /** `replacement` stands where `old` stands (or, when `old` comes later, here). */
  const replace = (old: Container, replacement: Container) => {
    const at = out.indexOf(old);
    if (at >= 0) out[at] = replacement;
    else out.push(replacement);
  };
  for (const root of roots) {
    if (root.parent) continue; // gathered under another root already
    const message = subjectOf(root);
    const held = message?.subject ? table.get(message.subject) : undefined;
    if (!held || held === root) {
      out.push(root);
      continue;
    }
    if (!held.message && !root.message) {
      for (const child of [...root.children]) link(held, child);
    } else if (!held.message || (root.message?.reply && !held.message.reply)) {
      link(held, root);
    } else if (!root.message || (!root.message.reply && held.message.reply)) {
      // a dummy, or met in the wrong order (the reply first): the held one goes under this one
      link(root, held);
      replace(held, root);
      table.set(message!.subject, root);
    } else {
      // both replies, or neither: siblings under a new dummy, in the held one's place
      const dummy = container();
      replace(held, dummy);
      link(dummy, held);
      link(dummy, root);
      table.set(message!.subject, dummy);
    }
  }
  return out;
}
