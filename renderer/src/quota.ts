// A quota as the forms take it: megabytes typed → bytes for the admin API.
import { ApiError } from './api.js';

export const MB = 1024 * 1024;

/** Quota in MB as typed → bytes; text that is not a number is refused next to the field, in the server's words. */
export function quotaBytes(text: string): number {
  if (text.trim() === '') return 0;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new ApiError(400, 'quotaBytes must be a number', [{ field: 'quotaBytes', reason: 'must be a number' }]);
  return Math.round(value * MB);
}
