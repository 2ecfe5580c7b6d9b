// SMTP replies as errors for smtp-server's hooks; the text starts with the RFC 3463 enhanced code.
export interface SmtpReplyError extends Error {
  responseCode: number;
}

export function smtpReply(code: number, enhanced: string, text: string): SmtpReplyError {
  return Object.assign(new Error(`${enhanced} ${text}`), { responseCode: code });
}

export const replies = {
  unknownUser: (address: string) => smtpReply(550, '5.1.1', `<${address}>: Recipient address rejected: User unknown in local recipient table`),
  relayDenied: (address: string) => smtpReply(554, '5.7.1', `<${address}>: Relay access denied`),
  mailboxFull: (address: string) => smtpReply(452, '4.2.2', `<${address}>: Mailbox full, try again later`),
  tooManyRecipients: () => smtpReply(452, '4.5.3', 'Too many recipients'),
  messageTooBig: (limit: number) => smtpReply(552, '5.3.4', `Message size exceeds the limit of ${limit} bytes`),
  senderNotOwned: (address: string, user: string) => smtpReply(553, '5.7.1', `<${address}>: Sender address rejected: not owned by user ${user}`),
  senderNeedsAuth: (address: string) => smtpReply(553, '5.7.1', `<${address}>: Sender address rejected: log in to send as a local address`),
  authRequired: () => smtpReply(530, '5.7.0', 'Authentication required'),
  badCredentials: () => smtpReply(535, '5.7.8', 'Authentication credentials invalid'),
  accountDisabled: () => smtpReply(535, '5.7.8', 'Authentication credentials invalid (account disabled)'),
  throttled: (seconds: number) => smtpReply(454, '4.7.0', `Too many failed logins, try again in ${seconds} seconds`),
  tooManyConnections: () => smtpReply(421, '4.7.0', 'Too many connections from your address, try again later'),
  tooManyClients: (hostname: string) => smtpReply(421, '4.7.0', `${hostname} Too many connected clients, try again in a moment`),
  /** Postfix's answer while free space is below queue_minfree. */
  insufficientStorage: () => smtpReply(452, '4.3.1', 'Insufficient system storage, try again later'),
  localError: () => smtpReply(451, '4.3.0', 'Local error in processing, try again later'),
  badAddress: (address: string) => smtpReply(501, '5.1.3', `<${address}>: Bad address syntax`),
};
