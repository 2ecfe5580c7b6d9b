// The shapes of JMAP on the wire (RFC 8620 §3): a request of method calls, a response of method
// responses, result references, and the two kinds of error — request-level (a problem-details
// JSON object, RFC 7807; §3.6.1) and method-level (an "error" response to one call; §3.6.2).
import { z } from 'zod';

export const CORE = 'urn:ietf:params:jmap:core';
export const MAIL = 'urn:ietf:params:jmap:mail';
export const SUBMISSION = 'urn:ietf:params:jmap:submission';

/** [name, arguments, method call id] */
export type Invocation = [string, Record<string, unknown>, string];

export const requestSchema = z.strictObject({
  using: z.array(z.string()),
  methodCalls: z.array(z.tuple([z.string(), z.record(z.string(), z.unknown()), z.string()])),
  createdIds: z.record(z.string(), z.string()).optional(),
});

export type JmapRequest = z.infer<typeof requestSchema>;

export interface JmapResponse {
  methodResponses: Invocation[];
  createdIds?: Record<string, string>;
  sessionState: string;
}

/** §3.7: an argument named "#name" takes its value from an earlier response. */
export const resultReferenceSchema = z.strictObject({ resultOf: z.string(), name: z.string(), path: z.string() });
export type ResultReference = z.infer<typeof resultReferenceSchema>;

/** A request the server cannot take at all (§3.6.1): answered with this problem and no method response. */
export class RequestError extends Error {
  constructor(
    readonly type: 'notJSON' | 'notRequest' | 'unknownCapability' | 'limit',
    readonly status: number,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  get problem(): Record<string, unknown> {
    return { type: `urn:ietf:params:jmap:error:${this.type}`, status: this.status, detail: this.message, ...this.extra };
  }
}

/** §3.6.2 and the method-level errors of each method: the call gets ["error", {type, description}]. */
export class MethodError extends Error {
  constructor(
    readonly type: string,
    description: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(description);
  }

  get response(): Record<string, unknown> {
    return { type: this.type, description: this.message, ...this.extra };
  }
}

/** A SetError (§5.3): why one object of a /set could not be created, updated or destroyed. */
export interface SetError {
  type: string;
  description: string;
  properties?: string[];
  [extra: string]: unknown;
}

export function setError(type: string, description: string, properties?: string[]): SetError {
  return properties ? { type, description, properties } : { type, description };
}

/** Arguments checked with a zod schema: what does not fit is an invalidArguments error naming the argument. */
export function parseArguments<T extends z.ZodTypeAny>(schema: T, args: unknown): z.infer<T> {
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : 'the arguments';
  throw new MethodError('invalidArguments', `${where}: ${issue.message}`);
}

/** Id (§1.2): 1 to 255 octets of URL-safe base64 characters. */
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'is not a JMAP Id');
