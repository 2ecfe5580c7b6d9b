// Every JMAP method this server answers, by name, with the capability it belongs to.
import type { MethodCall } from './call.js';
import { coreMethods } from './core.js';
import { mailboxMethods } from './mailbox.js';

export interface JmapMethod {
  capability: string;
  handle(args: Record<string, unknown>, call: MethodCall): Record<string, unknown> | Promise<Record<string, unknown>>;
}

export const METHODS: Record<string, JmapMethod> = { ...coreMethods, ...mailboxMethods };
