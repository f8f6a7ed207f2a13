export {
  PLAYGROUND_BUNDLE_DIR,
  PLAYGROUND_CSP_DIRECTIVES,
  createNoPlaygroundRouter,
  createPlaygroundRouter,
} from './playground.router';
export type { PlaygroundRouterOptions } from './playground.router';
export { PLAYGROUND_ASSETS_PATH, renderHomePage, renderPlaygroundPage } from './playground.page';
export type { HomeLink } from './playground.page';
export { playgroundExamples } from './playground-examples';
export type { PlaygroundExamples } from './playground-examples';
export type { PlaygroundSettings, PlaygroundTab } from './browser/playground-settings';
