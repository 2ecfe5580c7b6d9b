// The recent log lines and protocol transcript lines (the WebSocket carries the new ones).
import type { Handlers } from '../router.js';

export const liveRoutes = {
  'GET /api/logs': ({ state }) => ({ entries: state.context.log.recent() }),
  'GET /api/inspector': ({ state }) => ({ lines: state.context.inspector.recent() }),
} satisfies Partial<Handlers>;
