export { AuthResolver } from './auth.resolver';
export { AuthService } from './auth.service';
export type { SignInMeta } from './auth.service';
export { AuthPayload } from './auth-payload.type';
export { PasswordService } from './password.service';
export { SignInLimiter } from './sign-in.limiter';
export { TokenService } from './token.service';
export type { AccessTokenClaims } from './token.service';
