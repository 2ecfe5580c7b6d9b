// Every JMAP method this server answers, by name, with the capability it belongs to.
import type { MethodCall } from './call.js';
import { copyMethods } from './copy.js';
import { coreMethods } from './core.js';
import { emailMethods } from './email.js';
import { emailImportMethods } from './email-import.js';
import { emailParseMethods } from './email-parse.js';
import { emailQueryMethods } from './email-query.js';
import { identityMethods } from './identity.js';
import { mailboxMethods } from './mailbox.js';
import { queryChangesMethods } from './query-changes.js';
import { searchSnippetMethods } from './search-snippet.js';
import { submissionMethods } from './submission.js';
import { threadMethods } from './thread.js';

export interface JmapMethod {
  capability: string;
  handle(args: Record<string, unknown>, call: MethodCall): Record<string, unknown> | Promise<Record<string, unknown>>;
}

export const METHODS: Record<string, JmapMethod> = { ...coreMethods, ...mailboxMethods, ...emailMethods, ...emailQueryMethods, ...emailImportMethods, ...emailParseMethods, ...threadMethods, ...identityMethods, ...submissionMethods, ...searchSnippetMethods, ...queryChangesMethods, ...copyMethods };
