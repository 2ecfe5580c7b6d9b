// Who may open one more connection: one guard for the whole engine, made by the engine and shared
// by every TCP mail service (SMTP, POP3, IMAP, and whatever comes next). limits.connectionsPerClient
// counts a client address's open connections on all those ports together, limits.connectionsTotal
// the engine's. A refusal is logged here, once; the protocol answers it in its own words.
import type { Log } from '../log.js';
import type { Settings } from '../settings/schema.js';

/** Which limit a refused connection met. */
export type RefusalReason = 'client' | 'total';

export type Admission = { readonly ok: true; release(): void } | { readonly ok: false; readonly reason: RefusalReason };

export class AdmissionGuard {
  private readonly perClient = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly limits: () => Pick<Settings['limits'], 'connectionsPerClient' | 'connectionsTotal'>,
    private readonly log: Log,
  ) {}

  /** One more connection of `client` (a plain address) on `service`: a ticket to release when it closes, or the limit it met. */
  admit(service: string, client: string): Admission {
    const { connectionsPerClient, connectionsTotal } = this.limits();
    const open = this.perClient.get(client) ?? 0;
    if (open >= connectionsPerClient) {
      this.log.warn(service, `refused connection: ${open} already open from this address (limits.connectionsPerClient)`, { client });
      return { ok: false, reason: 'client' };
    }
    if (this.total >= connectionsTotal) {
      this.log.warn(service, `refused connection: ${this.total} open in all (limits.connectionsTotal)`, { client });
      return { ok: false, reason: 'total' };
    }
    this.perClient.set(client, open + 1);
    this.total++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.perClient.get(client) ?? 1) - 1;
        if (left > 0) this.perClient.set(client, left);
        else this.perClient.delete(client);
      },
    };
  }
}
