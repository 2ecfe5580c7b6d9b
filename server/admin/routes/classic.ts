// The classic configuration of what the engine runs now (see export/classic-view.ts).
import { classicConfiguration } from '../../export/classic-view.js';
import type { Handlers } from '../router.js';

export const classicRoutes = {
  'GET /api/classic-config': ({ state }) => classicConfiguration(state.context),
} satisfies Partial<Handlers>;
