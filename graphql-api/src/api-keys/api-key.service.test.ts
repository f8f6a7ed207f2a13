import { setTimeout as sleep } from 'node:timers/promises';
import { startApi } from '../../test/execute-operation';
import { createApp } from '../app';
import type { ApiApp } from '../app';
import type { TestApi } from '../testing';
import { API_KEY_CACHE_TTL_MS } from './api-key.service';

let api: TestApi;
let second: ApiApp;
beforeAll(async () => {
  api = await startApi();
  // Another app on the same database: its own services and key cache, like another process.
  second = await createApp(api.config, { devInbox: api.mailbox });
});
afterAll(async () => {
  await second?.stop();
  await api?.stop();
});

describe('revoking an API key', () => {
  it('takes effect in every instance within the cache bound (1 s)', async () => {
    const { key, token } = await api.api.services.apiKeys.create('short-lived', ['read:movies']);
    const instances = [api.api, second];
    for (const instance of instances) {
      expect(await instance.services.apiKeys.findByToken(token)).toMatchObject({ id: key.id });
    }
    expect(await api.api.services.apiKeys.revoke(key.id)).toBe(true);
    // The revoking instance refuses at once; the other once its cached read is older than the bound.
    expect(await api.api.services.apiKeys.findByToken(token)).toBeNull();
    await sleep(API_KEY_CACHE_TTL_MS + 50);
    for (const instance of instances) {
      expect(await instance.services.apiKeys.findByToken(token)).toBeNull();
    }
    expect(await api.api.services.apiKeys.revoke(key.id)).toBe(false);
  });

  it('shares one database read among a burst of lookups of one key', async () => {
    const { token } = await api.api.services.apiKeys.create('bursty', ['read:movies']);
    const fresh = await createApp(api.config, { devInbox: api.mailbox });
    try {
      const lookups = Array.from({ length: 20 }, () => fresh.services.apiKeys.findByToken(token));
      expect(new Set(lookups).size).toBe(1);
      expect((await lookups[0])?.name).toBe('bursty');
    } finally {
      await fresh.stop();
    }
  });
});
