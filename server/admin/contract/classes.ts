// Classes (classroom): a teacher's student accounts made, given new passwords for slips, reset and
// deleted together. The passwords are in the answer that makes them, and nowhere later.
import type { ClassInfo, IssuedAccount } from '../../accounts/classes.js';
import { quotaBytes, z, type RoutePattern, type RouteSpec } from './common.js';

const classInfo = z.strictObject({
  name: z.string(),
  createdAt: z.number(),
  members: z.array(z.strictObject({ address: z.string(), displayName: z.string() })),
}) satisfies z.ZodType<ClassInfo>;

const issuedAccount = z.strictObject({ address: z.string(), displayName: z.string(), password: z.string() }) satisfies z.ZodType<IssuedAccount>;

/** The accounts just made or given new passwords, with those passwords (for the slips). */
const issued = z.strictObject({ name: z.string(), accounts: z.array(issuedAccount) });

const className = z.object({ name: z.string() });

export const classesContract = {
  /** `limit` is limits.accountsPerClass. */
  'GET /api/classes': { response: z.strictObject({ classes: z.array(classInfo), limit: z.number() }) },
  /** `count` accounts prefix01@domain, prefix02@domain, … */
  'POST /api/classes': {
    body: z.object({ name: z.string(), prefix: z.string(), count: z.number().int('must be a whole number'), quotaBytes }),
    status: 201,
    response: issued,
  },
  /** One account per row of the CSV text: name,address (a header row naming the columns is allowed). */
  'POST /api/classes/import': { body: z.object({ name: z.string(), csv: z.string(), quotaBytes }), status: 201, response: issued },
  /** New passwords for every account of the class, for new slips; the old ones stop working. */
  'POST /api/classes/:name/slips': { params: className, response: issued },
  /** The end of term: every account's mail removed, new passwords. */
  'POST /api/classes/:name/reset': { params: className, response: issued.extend({ messagesRemoved: z.number() }) },
  /** The class and its accounts; their mail is kept aside as for any deleted user. */
  'DELETE /api/classes/:name': { params: className, response: z.strictObject({ deleted: z.array(z.string()) }) },
} satisfies Record<RoutePattern, RouteSpec>;
