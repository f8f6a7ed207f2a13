export { Session, SessionModel } from './session.model';
export { SessionService, REAUTHENTICATION_WINDOW_MS, REFRESH_TTL_MS } from './session.service';
export type { IssuedSession, SessionClient, SessionServiceHooks } from './session.service';
export { SessionResolver } from './session.resolver';
export { RefreshTokenCodec } from './refresh-token.codec';
