export { AuthProvider, User, UserModel, USER_LIMITS } from './user.model';
export { UserService, normalizeEmail } from './user.service';
export type { ProviderIdentity, ProviderSignInOutcome, UserWithPassword } from './user.service';
export { UserResolver } from './user.resolver';
