// The equivalent classic configuration (Postfix, Dovecot, BIND) of the current settings, for the
// Classroom page; what `lanpost export postfix|dovecot|bind` writes, with secrets hidden.
import type { ClassicEquivalent, ClassicFile } from '../../export/classic-shapes.js';
import { z, type RoutePattern, type RouteSpec } from './common.js';

const file = z.strictObject({ server: z.enum(['postfix', 'dovecot', 'bind']), path: z.string(), content: z.string() }) satisfies z.ZodType<ClassicFile>;
const equivalent = z.strictObject({
  setting: z.string(),
  value: z.string(),
  lines: z.array(z.strictObject({ path: z.string(), text: z.string() })),
}) satisfies z.ZodType<ClassicEquivalent>;

export const classicContract = {
  'GET /api/classic-config': { response: z.strictObject({ files: z.array(file), equivalents: z.array(equivalent) }) },
} satisfies Record<RoutePattern, RouteSpec>;
