// Every route of the LAN web service. Only what LAN devices need is here: the onboarding files
// and pages now (JMAP and the webmail add theirs). The admin API is not, and never will be.
import { autoconfigRoutes } from './onboarding/autoconfig.js';
import { autodiscoverRoutes } from './onboarding/autodiscover.js';
import { caRoutes } from './onboarding/ca-routes.js';
import { landingDataRoutes } from './onboarding/landing-data.js';
import { profileRoutes } from './onboarding/profile-routes.js';
import type { WebRoute } from './router.js';

export const WEB_ROUTES: readonly WebRoute[] = [...autoconfigRoutes, ...autodiscoverRoutes, ...profileRoutes, ...caRoutes, ...landingDataRoutes];
