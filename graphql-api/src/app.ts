import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { ErrorRequestHandler } from 'express';
import helmet from 'helmet';
import type { ApiConfig } from './config';
import type { Context } from './context';
import { clientIp, createContext } from './context';
import { pingDatabase } from './database';
import {
  assertDocumentAllowed,
  documentIdMiddleware,
  loadPersistedDocuments,
  manifestPersistedQueries,
} from './persisted-documents';
import { createNoPlaygroundRouter, createPlaygroundRouter } from './playground';
import { createLogger, requestLogger, requestLogMessages } from './logger';
import type { Logger } from './logger';
import { warmUpPasswordPolicy } from './auth';
import { createSmtpMailer, OutboxWorker, startDevInbox } from './mail';
import type { DevInbox } from './mail';
import { GRAPHQL_BODY_LIMIT_BYTES, graphqlJsonParser, ResponseCache } from './response-cache';
import { buildApiSchema } from './schema';
import { createServices } from './services';
import { startInfoHandler } from './start-info';
import type { Services } from './services';
import { errorPlugin, formatError, maskContextError } from './shared/format-error';
import { cacheControlPlugin } from './shared/cache-control.plugin';
import { createDocumentLimits } from './shared/document-limits.plugin';
import { errorListPlugin } from './shared/error-list.plugin';
import { executorGateway, jitExecutor } from './shared/jit-executor';
import type { JitExecutor } from './shared/jit-executor';
import { QUERY_LIMITS } from './shared/limits';
import { RequestBudgetCounter } from './shared/request-budget';
import { createJwksRouter } from './signing-keys';

/** What {@link createApp} returns: not listening yet; `stop()` drains Apollo and the mail worker. */
export interface ApiApp {
  /**
   * The API's request handler (serve this one: `http.createServer(app)`, `listen`, supertest).
   * It logs the request, answers kept public responses, and hands every other request to
   * `express`.
   */
  app: RequestListener;
  /** The express app behind `app` (its locals, settings); serving it alone skips the above. */
  express: express.Express;
  apollo: ApolloServer<Context>;
  services: Services;
  logger: Logger;
  /** Sends the outbox's mail (already started). */
  mailWorker: OutboxWorker;
  /** The local SMTP inbox mail goes to when no SMTP_URL is set (development, tests); else null. */
  devInbox: DevInbox | null;
  /** The public response cache (src/response-cache); null when RESPONSE_CACHE_MAX_BYTES is 0. */
  responseCache: ResponseCache | null;
  /** The executor (graphql-jit once an operation is seen `jitThreshold` times) and its counts. */
  jit: JitExecutor;
  stop(): Promise<void>;
}

/** Options of {@link createApp}. */
export interface CreateAppOptions {
  /** The logger to use (the process's own, or one writing to a test's stream); default: a new one at `config.logLevel`. */
  logger?: Logger;
  /**
   * An inbox to deliver to and show at `GET /dev/mail` (a test's own SMTP server). Default:
   * without SMTP_URL, one started in this process (stopped by `stop()`); with it, none.
   */
  devInbox?: DevInbox;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Builds the express app with Apollo on /graphql (assumes mongoose is connected). */
export async function createApp(
  config: ApiConfig,
  options: CreateAppOptions = {},
): Promise<ApiApp> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Trusted documents: read before anything starts, so a missing (production) or malformed
  // manifest stops the API here with its own message.
  const persistedDocuments = loadPersistedDocuments(config, logger);
  const services = createServices(config, logger);
  const schema = await buildApiSchema(services);
  warmUpPasswordPolicy();

  // Mail: the configured SMTP server, else (never in production: config refuses it) a local
  // inbox in this process, so verification and reset links work with nothing installed.
  const ownInbox =
    options.devInbox === undefined && config.mail.smtpUrl === undefined
      ? await startDevInbox({ port: 0, logger })
      : null;
  const devInbox = options.devInbox ?? ownInbox;
  const smtpUrl = config.mail.smtpUrl ?? devInbox?.url;
  if (smtpUrl === undefined) throw new TypeError('No SMTP_URL and no inbox to deliver to');
  const mailer = createSmtpMailer(smtpUrl);
  const mailWorker = new OutboxWorker(services.outbox, services.mailComposer, mailer, {
    from: config.mail.from,
    logger,
    pollIntervalMs: config.mail.pollIntervalMs,
  });
  // Introspection (and the depth-limit exemption the playground needs) outside production only;
  // the playground itself (GraphiQL, src/playground) in development only.
  const introspection = config.nodeEnv !== 'production';
  const playground = config.nodeEnv === 'development';
  // Cheap refusals: document limits before validation's expensive rules, a request budget
  // before parsing.
  const documentLimits = createDocumentLimits<Context>({ introspection });
  const budget = new RequestBudgetCounter(config.requestBudget, logger);
  const jsonParser = graphqlJsonParser();
  // Key-only and anonymous catalog reads answered from memory, ahead of everything below.
  const responseCache =
    config.responseCache.maxBytes > 0
      ? new ResponseCache({
          maxBytes: config.responseCache.maxBytes,
          version: services.catalogVersion,
          findApiKey: (token) => services.apiKeys.findByToken(token),
          clientIp,
          admit: (request) => budget.admit(request),
          jsonParser,
          bodyLimitBytes: GRAPHQL_BODY_LIMIT_BYTES,
        })
      : null;

  // Operations run compiled (graphql-jit) once seen `jitThreshold` times, through Apollo's
  // executor hook; everything else about a request stays Apollo's.
  const jit = jitExecutor(schema, {
    threshold: config.jitThreshold,
    onCompileFailure: (operationName, reason) =>
      logger.warn({ operationName, err: reason }, 'graphql-jit cannot compile; graphql-js runs it'),
  });
  const apollo = new ApolloServer<Context>({
    gateway: executorGateway(schema, jit.executor),
    introspection,
    // Without introspection, "Did you mean ...?" suggestions would leak the schema instead.
    hideSchemaDetailsFromClientErrors: !introspection,
    // Hostile documents are refused before anything executes: the parser stops at the token
    // limit, and every other limit (depth and aliases included) is checked before validation's
    // expensive rules run (shared/document-limits.rule.ts).
    parseOptions: { maxLexicalTokens: QUERY_LIMITS.maxTokens },
    validationRules: [documentLimits.rule],
    allowBatchedHttpRequests: false,
    // Persisted document ids resolve from the manifest only; client registrations are not kept.
    persistedQueries: manifestPersistedQueries(persistedDocuments),
    // index.ts owns shutdown (drain HTTP, then Apollo, then the database); Apollo's own signal
    // handler would stop it early and re-raise the signal, killing in-flight requests.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError,
    plugins: [
      errorPlugin,
      documentLimits.plugin,
      // After the plugins that rewrite errors: it bounds their final list.
      errorListPlugin,
      // Apollo's own landing page (Sandbox) loads from Apollo's CDN: the playground router
      // below serves GraphiQL from this origin instead.
      ApolloServerPluginLandingPageDisabled(),
      ...(responseCache ? [responseCache.plugin] : []),
      // Apollo's cache-control policies and headers, computed per document rather than by a hook
      // on every field (last, where Apollo puts its own plugin).
      ApolloServerPluginCacheControlDisabled(),
      cacheControlPlugin<Context>(),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  // Ahead of express (see `handler` below): the request line, then the response cache.
  const logRequest = requestLogger({
    logger,
    genReqId: (req: IncomingMessage, res) => {
      const incoming = req.headers['x-request-id'];
      const id =
        typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: { ignore: (req) => req.url === '/health' },
    // One short line per request in development; JSON with the request fields elsewhere.
    ...requestLogMessages(config.nodeEnv === 'development'),
  });
  app.use(
    helmet({
      // helmet's default CSP everywhere; the playground page narrows it (playground.router.ts).
      crossOriginEmbedderPolicy: false,
    }),
  );

  // The /graphql route's handlers.
  const graphqlRoute: express.RequestHandler[] = [
    // The cache's middleware may have read the body already (it reports its errors here).
    responseCache?.bodyParser() ?? jsonParser,
    documentIdMiddleware,
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        try {
          const context = await createContext(services, req, logger);
          // Over budget: 429 here, before the document is parsed.
          budget.admit(context);
          // A `persisted-only` key's full document is refused here, before Apollo parses it.
          assertDocumentAllowed(context, req);
          responseCache?.attach(req, context);
          return context;
        } catch (error) {
          throw maskContextError(error, String(req.id), req.log);
        }
      },
    }),
  ];
  // POSTs first: nothing below answers a POST to /graphql, and they are most of the traffic.
  app.post('/graphql', ...graphqlRoute);

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // The access tokens' public keys, for other services to verify them (src/signing-keys).
  app.use(createJwksRouter(services.signingKeys));
  app.get('/ready', async (_req, res) => {
    const ready = await pingDatabase();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'database unreachable' });
  });
  // The local inbox, for the render server's /dev/mail page. Never in production (there is no
  // local inbox there, and the route is not even registered).
  if (devInbox && config.nodeEnv !== 'production') {
    const inbox = devInbox;
    app.get('/dev/mail', (_req, res) => {
      res.set('Cache-Control', 'no-store');
      res.json({ messages: inbox.messages() });
    });
  }
  // Development only: what the render server's start-up banner shows (start-info.ts).
  if (config.nodeEnv === 'development') app.get('/dev/start-info', startInfoHandler(app));

  // The playground (GraphiQL on GET /graphql for browsers, its bundle), `GET /` and the SDL in
  // development, in front of Apollo, which gets every other request to /graphql. Elsewhere a
  // browser asking for the page gets a 404 instead of Apollo's "GET query missing".
  app.use(
    playground
      ? createPlaygroundRouter(config, { logger, devInbox: devInbox !== null })
      : createNoPlaygroundRouter(),
  );

  // Every other request to /graphql (GET queries) after the playground's page.
  app.use('/graphql', ...graphqlRoute);

  // Malformed JSON or an oversized body: a clear 4xx, never a stack trace.
  const onError: ErrorRequestHandler = (
    error: { status?: number; type?: string },
    req,
    res,
    next,
  ) => {
    if (res.headersSent) return next(error);
    const status = typeof error.status === 'number' && error.status < 500 ? error.status : 500;
    if (status === 500) req.log.error({ err: error }, 'unhandled error');
    res.status(status).json({
      errors: [
        {
          message: status === 500 ? 'Internal server error' : 'Malformed request body',
          extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' },
        },
      ],
    });
  };
  app.use(onError);

  // A signing key exists (made on first start) before the first token is signed.
  await services.signingKeys.start();
  await services.sessions.dropObsoleteIndexes();
  // Movies stored before search folded titles get theirs (one query when none is missing).
  const backfilled = await services.movies.backfillTitleSearch();
  if (backfilled > 0)
    logger.info({ movies: backfilled }, 'folded the titles of existing movies for search');
  mailWorker.start();
  // Every request: logged first (its id, its line), then a kept public answer if there is one
  // (replaying the headers helmet set for the first answer), else express. A hit costs no
  // express routing, no middleware and no Apollo.
  const toExpress = (req: IncomingMessage, res: ServerResponse): void => {
    app(req, res);
  };
  const handler: RequestListener = (req, res) => {
    logRequest(req, res, () => {
      if (responseCache) responseCache.handle(req, res, app, toExpress);
      else toExpress(req, res);
    });
  };

  return {
    app: handler,
    express: app,
    apollo,
    services,
    logger,
    mailWorker,
    devInbox,
    responseCache,
    jit,
    async stop() {
      await mailWorker.stop();
      mailer.close();
      await apollo.stop();
      await budget.stop();
      await services.signingKeys.stop();
      await services.passwords.stop();
      await ownInbox?.stop();
    },
  };
}
