export { Session, SessionModel } from './session.model';
export { SessionService, REFRESH_TTL_MS } from './session.service';
export type { IssuedSession, SessionClient } from './session.service';
export { SessionResolver } from './session.resolver';
export { RefreshTokenCodec } from './refresh-token.codec';
