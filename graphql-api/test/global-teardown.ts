/** Stops the embedded server global-setup started (nothing to do against a real server). */
async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__graphqlApiEmbeddedMongo as
    { stop(): Promise<void> } | undefined;
  await server?.stop();
}

export = globalTeardown;
