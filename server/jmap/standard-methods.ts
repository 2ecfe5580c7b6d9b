// The parts every data type's /get, /changes and /query share (RFC 8620 §5.1, §5.2, §5.5): the
// arguments, picking the requested properties, and cutting a result list to position and limit.
import { z } from 'zod';
import type { MethodCall } from './call.js';
import { idSchema, MethodError } from './protocol.js';

export const getArguments = z.strictObject({
  accountId: idSchema,
  ids: z.array(z.string()).nullable().optional(),
  properties: z.array(z.string()).nullable().optional(),
});

export const changesArguments = z.strictObject({
  accountId: idSchema,
  sinceState: z.string(),
  maxChanges: z.number().int().min(1).nullable().optional(),
});

/** The arguments of every /query that say which part of the results to give (§5.5). */
export const queryWindowArguments = {
  position: z.number().int().optional(),
  anchor: z.string().nullable().optional(),
  anchorOffset: z.number().int().optional(),
  limit: z.number().int().min(0).nullable().optional(),
  calculateTotal: z.boolean().optional(),
};

/** The ids asked for (each "#creation id" resolved), checked against maxObjectsInGet. */
export function requestedIds(call: MethodCall, ids: readonly string[], what: string): Array<{ asked: string; id: string | null }> {
  call.checkObjectCount(ids.length, what);
  return [...new Set(ids)].map((asked) => ({ asked, id: call.resolveId(asked) }));
}

/** The objects asked for (all when `ids` is null), with the properties asked for, and the ids not found (§5.1). */
export function getList<T extends { id: string }>(
  call: MethodCall,
  objects: readonly T[],
  ids: readonly string[] | null | undefined,
  properties: readonly string[] | null | undefined,
  what: string,
): { list: Record<string, unknown>[]; notFound: string[] } {
  const asked = ids ? requestedIds(call, ids, what) : objects.map((o) => ({ asked: o.id, id: o.id }));
  const list: Record<string, unknown>[] = [];
  const notFound: string[] = [];
  for (const { asked: askedId, id } of asked) {
    const object = objects.find((o) => o.id === id);
    if (object) list.push(properties ? pickProperties({ ...object }, properties) : { ...object });
    else notFound.push(askedId);
  }
  return { list, notFound };
}

/** Only the properties asked for, "id" always (§5.1); an unknown property is invalidArguments. */
export function pickProperties(object: Record<string, unknown>, properties: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = { id: object.id };
  for (const property of properties) picked[property] = object[property];
  return picked;
}

export function checkProperties(properties: readonly string[] | null | undefined, known: readonly string[], fallback: readonly string[]): readonly string[] {
  if (!properties) return fallback;
  const unknown = properties.filter((p) => !known.includes(p) && !p.startsWith('header:'));
  if (unknown.length) throw new MethodError('invalidArguments', `unknown properties: ${unknown.join(', ')}`);
  return properties;
}

/** §5.5: position (negative from the end) and limit applied to the full result list. */
export function window<T>(all: readonly T[], position: number, limit: number | null | undefined): { items: T[]; position: number } {
  let start = position < 0 ? Math.max(0, all.length + position) : position;
  if (start > all.length) start = all.length;
  const end = limit === null || limit === undefined ? all.length : start + limit;
  return { items: all.slice(start, end), position: start };
}
