export { AccountToken, AccountTokenModel, AccountTokenPurpose } from './account-token.model';
export {
  ACCOUNT_TOKEN_TTL_MS,
  ACCOUNT_TOKEN_TTL_TEXT,
  AccountTokenService,
} from './account-token.service';
export type { ConsumedAccountToken } from './account-token.service';
