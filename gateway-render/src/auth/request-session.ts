import type { Response } from 'express';

/** The session a request acts with after the refresh step (set by `sessionMiddleware`). */
export interface RequestSession {
  accessToken?: string;
  refreshToken?: string;
  rememberMe: boolean;
}

/** The request's session; anonymous when the session middleware has not run. */
export function requestSession(res: Response): RequestSession {
  const session = res.locals.session as RequestSession | undefined;
  return session ?? { rememberMe: false };
}
