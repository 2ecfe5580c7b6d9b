// What a method handler gets: the account it works on, the engine, the request's limits, and the
// creation ids of the request (§5.3: "#name" in an id names an object created earlier in it).
import type { User } from '../accounts/accounts.js';
import type { EngineContext } from '../context.js';
import type { MailboxOwner } from '../store/mailstore.js';
import { MethodError, type Invocation } from './protocol.js';

export class MethodCall {
  /** Responses a method adds after its own (§5.4 onSuccessUpdateEmail: an implicit Email/set). */
  readonly followUps: Invocation[] = [];

  constructor(
    readonly context: EngineContext,
    readonly user: User,
    readonly accountId: string,
    /** Creation id → server id, for the whole request. */
    readonly createdIds: Map<string, string>,
    readonly callId: string,
    /** The client's address (for the Received field of a submission). */
    readonly client: string,
  ) {}

  get owner(): MailboxOwner {
    return this.user;
  }

  get store() {
    return this.context.mailStore;
  }

  /** An id as sent: "#name" is the id of what this request created as "name" (§5.3). */
  resolveId(id: string): string | null {
    return id.startsWith('#') ? (this.createdIds.get(id.slice(1)) ?? null) : id;
  }

  /** maxObjectsInGet and maxObjectsInSet (limits.jmapObjectsPerCall). */
  get maxObjects(): number {
    return this.context.settings().limits.jmapObjectsPerCall;
  }

  /** /get and /set take at most maxObjectsInGet / maxObjectsInSet objects (§5.1, §5.3). */
  checkObjectCount(count: number, what: string): void {
    if (count > this.maxObjects) throw new MethodError('requestTooLarge', `${count} ${what} in one call; at most ${this.maxObjects} (limits.jmapObjectsPerCall)`);
  }
}

/** The JMAP account id of a user: one account per mail user. */
export function accountIdOf(user: Pick<User, 'id'>): string {
  return `A${user.id}`;
}
