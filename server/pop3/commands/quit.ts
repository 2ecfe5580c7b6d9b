// QUIT (RFC 1939 §6): from TRANSACTION, enters UPDATE and removes the messages marked deleted
// (through the MailStore, so IMAP sessions see them go); from AUTHORIZATION, just says goodbye.
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';

export function quit(session: Pop3Session): void {
  if (session.state === 'TRANSACTION') {
    session.state = 'UPDATE';
    try {
      const { removed, flagError } = session.maildrop!.update();
      if (flagError) session.context.log.warn(session.service, `could not mark retrieved mail seen: ${flagError.message}`, session.logContext());
      if (removed) session.context.log.info(session.service, `deleted ${removed} message(s)`, session.logContext());
      session.send(replies.byeAfterUpdate(removed));
    } catch (error) {
      session.context.log.error(session.service, `UPDATE failed: ${(error as Error).message}`, session.logContext());
      session.send(replies.updateFailed());
    }
    session.releaseMaildrop();
  } else {
    session.send(replies.bye());
  }
  session.close();
}
