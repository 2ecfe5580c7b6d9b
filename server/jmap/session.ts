// The session resource (RFC 8620 §2): the capabilities and their limits (from the settings), the
// user's one account, and the URLs of the API, downloads, uploads and the event source.
import crypto from 'node:crypto';
import type { User } from '../accounts/accounts.js';
import type { Settings } from '../settings/schema.js';
import { accountIdOf } from './call.js';
import { CORE, MAIL, SUBMISSION } from './protocol.js';

/** What this server speaks, advertised only once it works. */
export const CAPABILITIES: readonly string[] = [CORE, MAIL, SUBMISSION];

export const API_PATH = '/jmap/api';
export const UPLOAD_PATH = '/jmap/upload/';
export const DOWNLOAD_PATH = '/jmap/download/';
export const EVENT_SOURCE_PATH = '/jmap/eventsource';

export function sessionResource(user: User, settings: Settings, origin: string): Record<string, unknown> {
  const { limits } = settings;
  const accountId = accountIdOf(user);
  return {
    capabilities: {
      [CORE]: {
        maxSizeUpload: limits.messageSizeBytes,
        maxConcurrentUpload: limits.jmapConcurrentRequests,
        maxSizeRequest: limits.jmapRequestBytes,
        maxConcurrentRequests: limits.jmapConcurrentRequests,
        maxCallsInRequest: limits.jmapCallsPerRequest,
        maxObjectsInGet: limits.jmapObjectsPerCall,
        maxObjectsInSet: limits.jmapObjectsPerCall,
        collationAlgorithms: ['i;ascii-casemap', 'i;unicode-casemap'],
      },
      [MAIL]: {},
      [SUBMISSION]: {},
    },
    accounts: {
      [accountId]: {
        name: user.address,
        isPersonal: true,
        isReadOnly: false,
        accountCapabilities: {
          [MAIL]: {
            maxMailboxesPerEmail: null,
            maxMailboxDepth: null,
            maxSizeMailboxName: 255,
            maxSizeAttachmentsPerEmail: limits.messageSizeBytes,
            emailQuerySortOptions: ['receivedAt', 'size', 'from', 'to', 'subject', 'sentAt', 'hasKeyword'],
            mayCreateTopLevelMailbox: true,
          },
          // sent at once: no delayed sending (maxDelayedSend 0), no SMTP extensions asked for
          [SUBMISSION]: { maxDelayedSend: 0, submissionExtensions: {} },
        },
      },
    },
    primaryAccounts: { [MAIL]: accountId, [SUBMISSION]: accountId },
    username: user.address,
    apiUrl: `${origin}${API_PATH}`,
    downloadUrl: `${origin}${DOWNLOAD_PATH}{accountId}/{blobId}/{name}?type={type}`,
    uploadUrl: `${origin}${UPLOAD_PATH}{accountId}/`,
    eventSourceUrl: `${origin}${EVENT_SOURCE_PATH}?types={types}&closeafter={closeafter}&ping={ping}`,
    state: sessionStateOf(user),
  };
}

/** Changes when what the session resource says for this user would change. */
export function sessionStateOf(user: Pick<User, 'id' | 'address'>): string {
  return crypto.createHash('sha256').update(`${user.id}\0${user.address}\0${CAPABILITIES.join(' ')}`).digest('base64url').slice(0, 12);
}
