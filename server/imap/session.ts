// One IMAP session's state (RFC 3501 §3): NOT AUTHENTICATED → AUTHENTICATED ⇄ SELECTED → LOGOUT.
// Each state carries its own data: the user once logged in, the mailbox view once selected.
import type { User } from '../accounts/accounts.js';
import type { EngineContext } from '../context.js';
import type { ServiceName } from '../settings/schema.js';
import { ImapError } from './replies.js';
import type { SelectedMailbox } from './selected.js';

export type SessionState =
  | { name: 'not-authenticated' }
  | { name: 'authenticated'; user: User }
  | { name: 'selected'; user: User; mailbox: SelectedMailbox }
  | { name: 'logout' };

export type StateName = SessionState['name'];

export class Session {
  state: SessionState = { name: 'not-authenticated' };
  /**
   * ENABLEd extensions (RFC 5161), upper-cased; CONDSTORE is also switched on by its first use
   * (RFC 7162 §3.1), and by QRESYNC (§3.2.3).
   */
  readonly enabled = new Set<string>();

  constructor(
    readonly context: EngineContext,
    readonly service: ServiceName,
    readonly id: string,
    /** The client's address, plain (no ::ffff: prefix). */
    readonly client: string,
    public secure: boolean,
  ) {}

  get user(): User {
    if (this.state.name !== 'authenticated' && this.state.name !== 'selected') throw new ImapError('BAD', 'Not logged in');
    return this.state.user;
  }

  get selected(): SelectedMailbox {
    if (this.state.name !== 'selected') throw new ImapError('BAD', 'No mailbox selected');
    return this.state.mailbox;
  }

  get selectedOrNull(): SelectedMailbox | null {
    return this.state.name === 'selected' ? this.state.mailbox : null;
  }

  get condstore(): boolean {
    return this.enabled.has('CONDSTORE') || this.enabled.has('QRESYNC');
  }

  /** QRESYNC (RFC 7162 §3.2): VANISHED instead of EXPUNGE, SELECT (QRESYNC …), UID FETCH (… VANISHED). */
  get qresync(): boolean {
    return this.enabled.has('QRESYNC');
  }

  /** UTF-8 in mailbox names and quoted strings (RFC 6855 UTF8=ACCEPT). */
  get utf8(): boolean {
    return this.enabled.has('UTF8=ACCEPT');
  }

  login(user: User): void {
    this.state = { name: 'authenticated', user };
  }

  select(mailbox: SelectedMailbox): void {
    this.unselect();
    this.state = { name: 'selected', user: this.user, mailbox };
  }

  /** Leaves SELECTED (CLOSE, UNSELECT, a failed SELECT): back to AUTHENTICATED. */
  unselect(): void {
    if (this.state.name !== 'selected') return;
    this.state.mailbox.close();
    this.state = { name: 'authenticated', user: this.state.user };
  }

  logout(): void {
    this.unselect();
    this.state = { name: 'logout' };
  }

  /** May a plaintext password be used on this connection now? (RFC 3501 §6.2.3, RFC 2595) */
  plaintextAllowed(): boolean {
    return this.context.plaintextLoginAllowed(this.client, this.secure);
  }

  capabilities(): string[] {
    const settings = this.context.settings();
    const caps = ['IMAP4rev1', 'LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE'];
    if (this.state.name === 'not-authenticated') {
      if (!this.secure && this.service === 'imap') caps.push('STARTTLS');
      caps.push(this.plaintextAllowed() ? 'AUTH=PLAIN' : 'LOGINDISABLED');
    }
    caps.push(
      'NAMESPACE',
      'UNSELECT',
      'UIDPLUS',
      'MOVE',
      'CHILDREN',
      'SPECIAL-USE',
      'LIST-EXTENDED',
      'LIST-STATUS',
      'SORT',
      'CONDSTORE',
      `APPENDLIMIT=${settings.limits.messageSizeBytes}`,
      // past IMAP4rev1's usual set: RFC 7162, 6855, 9208, 8438, 8474, 8970, 6154 §3
      'QRESYNC',
      'UTF8=ACCEPT',
      'QUOTA',
      'QUOTA=RES-STORAGE',
      'STATUS=SIZE',
      'OBJECTID',
      'PREVIEW',
      'CREATE-SPECIAL-USE',
    );
    return caps;
  }
}
