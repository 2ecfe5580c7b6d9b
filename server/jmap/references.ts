// Result references (RFC 8620 §3.7): an argument "#name" holding {resultOf, name, path} takes its
// value from an earlier response of the same request, found by a JSON Pointer (RFC 6901) in which
// "*" maps over an array (and flattens arrays it finds).
import { MethodError, resultReferenceSchema, type Invocation } from './protocol.js';

export function resolveReferences(args: Record<string, unknown>, earlier: readonly Invocation[]): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (!key.startsWith('#')) {
      resolved[key] = value;
      continue;
    }
    const name = key.slice(1);
    if (name in args) throw new MethodError('invalidArguments', `both ${name} and #${name} are given`);
    const reference = resultReferenceSchema.safeParse(value);
    if (!reference.success) throw new MethodError('invalidResultReference', `#${name} is not a ResultReference {resultOf, name, path}`);
    const { resultOf, name: method, path } = reference.data;
    const source = earlier.find((response) => response[2] === resultOf);
    if (!source) throw new MethodError('invalidResultReference', `#${name}: no earlier response has the method call id ${JSON.stringify(resultOf)}`);
    if (source[0] !== method) throw new MethodError('invalidResultReference', `#${name}: the response ${JSON.stringify(resultOf)} is ${source[0]}, not ${method}`);
    const found = evaluatePointer(source[1], path);
    if (found === undefined) throw new MethodError('invalidResultReference', `#${name}: nothing at ${path} in the ${method} response`);
    resolved[name] = found;
  }
  return resolved;
}

function evaluatePointer(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  if (!pointer.startsWith('/')) return undefined;
  const [first, ...rest] = pointer.slice(1).split('/');
  const token = first!.replace(/~1/g, '/').replace(/~0/g, '~');
  const remaining = rest.length ? '/' + rest.join('/') : '';
  if (Array.isArray(value)) {
    if (token === '*') {
      const mapped: unknown[] = [];
      for (const item of value) {
        const inner = evaluatePointer(item, remaining);
        if (inner === undefined) return undefined;
        if (Array.isArray(inner)) mapped.push(...inner);
        else mapped.push(inner);
      }
      return mapped;
    }
    if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
    return evaluatePointer(value[Number(token)], remaining);
  }
  if (value && typeof value === 'object' && Object.hasOwn(value, token)) return evaluatePointer((value as Record<string, unknown>)[token], remaining);
  return undefined;
}
