export { AccountMail, AccountMailComposer, PRODUCT_NAME } from './account-mail.composer';
export { AccountResolver } from './account.resolver';
export { AccountService } from './account.service';
export type { AccountLimiters } from './account.service';
export { AccountSecurity } from './account-security.type';
