export { ApiKey, ApiKeyModel } from './api-key.model';
export { ApiKeyService } from './api-key.service';
export type { ApiKeyPrincipal } from './api-key.service';
export { DOCUMENT_POLICIES } from './document-policy';
export type { DocumentPolicy } from './document-policy';
