// Every route of the LAN web service: only what LAN devices need (the onboarding files and pages,
// later JMAP and the webmail). The admin API is not here, and never will be.
import type { WebRoute } from './router.js';

export const WEB_ROUTES: readonly WebRoute[] = [];
