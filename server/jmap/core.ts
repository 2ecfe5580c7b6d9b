// Core/echo (RFC 8620 §4): the arguments, returned as they came.
import type { JmapMethod } from './methods.js';
import { CORE } from './protocol.js';

export const coreMethods: Record<string, JmapMethod> = {
  'Core/echo': { capability: CORE, handle: (args) => args },
};
