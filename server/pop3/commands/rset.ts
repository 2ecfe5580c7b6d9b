// RSET (RFC 1939 §5): every message marked deleted is unmarked.
import { replies } from '../replies.js';
import type { Pop3Session } from '../session.js';

export async function rset(session: Pop3Session): Promise<void> {
  const drop = session.maildrop!;
  drop.reset();
  const { count, octets } = await drop.totals();
  session.send(replies.reset(count, octets));
}
