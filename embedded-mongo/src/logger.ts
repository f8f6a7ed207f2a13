/** Where the embedded server reports what it does; tests pass a silent or capturing logger. */
export interface Logger {
  /** Something an operator should know about (a torn journal tail, a dropped connection). */
  warn(message: string): void;
  /** Routine events (listening, journal replayed); the default logger drops them. */
  info(message: string): void;
}

/** The default: warnings to stderr, nothing else, so test output stays clean. */
export const defaultLogger: Logger = {
  warn: (message) => console.warn(`[embedded-mongo] ${message}`),
  info: () => undefined,
};

export const silentLogger: Logger = { warn: () => undefined, info: () => undefined };

/** Logs everything to the console; used by the CLI. */
export const consoleLogger: Logger = {
  warn: (message) => console.warn(`[embedded-mongo] ${message}`),
  info: (message) => console.log(`[embedded-mongo] ${message}`),
};
