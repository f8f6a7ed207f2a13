/** Stops the embedded database global-setup started (nothing to do against a real server). */
async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__gatewayRenderEmbeddedMongo as
    { stop(): Promise<void> } | undefined;
  await server?.stop();
}

export = globalTeardown;
