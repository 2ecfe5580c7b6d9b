// The recent log lines and protocol transcript lines (the WebSocket carries the new ones).
import { json, type Route } from '../router.js';

export const liveRoutes: Route[] = [
  { method: 'GET', path: '/api/logs', handler: ({ state }) => json({ entries: state.context.log.recent() }) },
  { method: 'GET', path: '/api/inspector', handler: ({ state }) => json({ lines: state.context.inspector.recent() }) },
];
