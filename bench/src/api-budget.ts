import type { ApiConfig } from 'graphql-api/config';

/** A budget no benchmark reaches: 10⁹ requests a minute. */
const UNREACHABLE = { points: 1_000_000_000, seconds: 60 };

/**
 * The API's config with its per-address request budget out of reach: every benchmark's load
 * comes from 127.0.0.1, which the production budget (600 a minute) would refuse after a
 * fraction of a second. The counting itself still runs on every request, as in production.
 */
export function withUnreachableBudget(config: ApiConfig): ApiConfig {
  return {
    ...config,
    requestBudget: { ...config.requestBudget, perIp: UNREACHABLE, perUser: UNREACHABLE },
  };
}
