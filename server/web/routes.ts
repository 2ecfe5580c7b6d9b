// Every route of the LAN web service. Only what LAN devices need is here: the onboarding files
// and pages, JMAP (the webmail will add its own). The admin API is not, and never will be.
import { jmapRoutes } from '../jmap/routes.js';
import { autoconfigRoutes } from './onboarding/autoconfig.js';
import { autodiscoverRoutes } from './onboarding/autodiscover.js';
import { caRoutes } from './onboarding/ca-routes.js';
import { landingDataRoutes } from './onboarding/landing-data.js';
import { profileRoutes } from './onboarding/profile-routes.js';
import type { WebRoute } from './router.js';

export const WEB_ROUTES: readonly WebRoute[] = [...autoconfigRoutes, ...autodiscoverRoutes, ...profileRoutes, ...caRoutes, ...landingDataRoutes, ...jmapRoutes];
