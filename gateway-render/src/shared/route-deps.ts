import type { PassportStatic } from 'passport';
import type { SessionRefresher } from '../auth/refresh';
import type { RenderConfig } from '../config';

/** What routers are built from (one set per app, so tests can run several apps side by side). */
export interface RouteDeps {
  config: RenderConfig;
  refresher: SessionRefresher;
  passport: PassportStatic;
}
