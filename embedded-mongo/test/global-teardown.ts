// jest loads global setup/teardown through the module's default export.
export default async function globalTeardown(): Promise<void> {
  await globalThis.__EMBEDDED_MONGO__?.stop();
  globalThis.__EMBEDDED_MONGO__ = undefined;
}
