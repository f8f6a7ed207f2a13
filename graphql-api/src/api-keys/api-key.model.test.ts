import { hashToken } from '../shared/tokens';
import { ApiKeyModel } from './api-key.model';

describe('ApiKey model', () => {
  it('stores the SHA-256 of the token only: a raw token is refused', async () => {
    await expect(
      new ApiKeyModel({ name: 'k', tokenHash: 'raw-key-token', scopes: [] }).validate(),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      new ApiKeyModel({ name: 'k', tokenHash: hashToken('k'), scopes: [] }).validate(),
    ).resolves.toBeUndefined();
    expect(ApiKeyModel.schema.path('token')).toBeUndefined();
    expect(ApiKeyModel.schema.path('createdAt')).toBeDefined();
  });
});
