// pino-http's request logging without its per-request cost, for the API and the render server.
export { requestLogger, requestLogMessages } from './request-logger';
export type { ReqId, RequestLoggerOptions, RequestLogMessages } from './request-logger';
