// One object of a /set that cannot be done (RFC 8620 §5.3 SetError): thrown where the reason is
// found, caught per object, so the other objects of the call go on.
import { setError, type SetError } from './protocol.js';

export class SetRefusal extends Error {
  constructor(readonly error: SetError) {
    super(error.description);
  }
}

export function refuse(type: string, description: string, properties?: string[]): never {
  throw new SetRefusal(setError(type, description, properties));
}

export function refusalOf(error: unknown): SetError {
  if (error instanceof SetRefusal) return error.error;
  return setError('invalidProperties', (error as Error).message);
}
