import { ValidationError } from './errors.ts';
import crypto from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import jwt from '@fastify/jwt';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppConfig } from './config.ts';
import { AppContext, type ContextOptions } from './context.ts';
import { loggerOptions } from './logger.ts';
import { registerErrorHandlers, registerNotFoundHandler } from './http/error-handler.ts';
import { capConnectionsPerIp, enforceBodyRate } from './http/connection-limits.ts';
import { securityHeaders } from './http/security-headers.ts';
import { registerAuthentication } from './http/authenticate.ts';
import { healthRoutes } from './health/routes.ts';
import { metricsRoutes } from './health/metrics.ts';
import { authRoutes } from './auth/routes.ts';
import { accountRoutes } from './accounts/routes.ts';
import { enrolmentRoutes } from './accounts/enrolment-routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { keysRoutes } from './keys/routes.ts';
import { agreementsRoutes } from './agreements/routes.ts';
import { channelsRoutes } from './channels/routes.ts';
import { messagesRoutes } from './messages/routes.ts';
import { attachmentsRoutes } from './attachments/routes.ts';
import { directoryRoutes } from './directory/routes.ts';
import { desksRoutes } from './desks/routes.ts';
import { notificationsRoutes } from './alerting/routes.ts';
import { attachRealtime } from './realtime/server.ts';
import { scheduleRetention } from './messages/retention-timer.ts';
import { schedulePaging } from './alerting/escalation.ts';
import { scheduleReachability } from './alerting/reachability.ts';
import { pagesRoutes } from './alerting/pages-routes.ts';
import { intakeRoutes } from './intake/routes.ts';
import { requestsRoutes, scheduleRequestReminders } from './requests/routes.ts';
import { statsRoutes } from './stats/routes.ts';
import { webPlugin } from './web/plugin.ts';
import { openRedis, type SharedRedis } from './redis.ts';
import { sharedRateLimitStore } from './http/shared-rate-limit.ts';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
    /** Redis shared by the nodes (REDIS_URL, cluster mode only); undefined = every node on its own. */
    redis: SharedRedis | undefined;
  }
}

export interface BuildOptions extends ContextOptions {
  /** Use an existing context (e.g. one the CLI opened); the app then does not close it. */
  ctx?: AppContext;
  /** false disables logging (tests); default is pino JSON at config.logLevel. */
  logger?: boolean;
  /** Where pino writes (default stdout); tests capture logs here to check redaction. */
  logStream?: NodeJS.WritableStream;
}

export type App = FastifyInstance;

/**
 * Closing the HTTP server (socket.io's close in the realtime preClose hook, then Fastify's) closes the
 * keep-alive connections that are idle at that moment; a connection whose request was still being
 * answered stayed open once the answer went out, and the close waited for it until the idle timeout
 * (config.limits.idleTimeoutMs, a minute). Once closing has begun, each finished response closes the
 * connections that are idle again. Registered first, so this preClose hook runs before the others.
 */
function closeConnectionsOfLateResponses(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onResponse', (_request, _reply, done) => {
    // After Node's own 'finish' handler has released the connection.
    if (closing) setImmediate(() => app.server.closeIdleConnections());
    done();
  });
}

/** Builds the Liaison HTTP app without listening: external plugins, then app plugins, then routes. */
export async function buildApp(config: AppConfig, opts: BuildOptions = {}): Promise<App> {
  const ctx = opts.ctx ?? (await AppContext.create(config, opts));
  const app = Fastify({
    logger: opts.logger === false ? false : { ...loggerOptions(config.logLevel), ...(opts.logStream ? { stream: opts.logStream } : {}) },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    genReqId: () => crypto.randomUUID(),
    // Unknown properties are errors, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
    // Start-up registers a few dozen plugins; on a loaded 2-core box the 10 s default is too tight.
    pluginTimeout: 60_000,
    // Connection-level limits (config.limits): a client cannot hold a socket open by being slow.
    requestTimeout: config.limits.requestTimeoutMs,
    connectionTimeout: config.limits.idleTimeoutMs,
    keepAliveTimeout: config.limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: config.limits.headersTimeoutMs,
      // Node checks the two timeouts above only this often (default 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(config.limits.headersTimeoutMs / 2))),
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (!config.trustProxy) capConnectionsPerIp(app.server, config.limits.maxConnectionsPerIp);
  closeConnectionsOfLateResponses(app);

  app.decorate('ctx', ctx);
  if (!opts.ctx) app.addHook('onClose', async () => ctx.close());
  // Redis only matters with several nodes (docs/CLUSTER.md "Redis"); one SQLite node keeps all in memory.
  const redis = config.redis && ctx.store.cluster ? openRedis(config.redis, app.log.child({ component: 'redis' })) : undefined;
  app.decorate('redis', redis);
  if (redis) app.addHook('onClose', async () => redis.close());
  ctx.audit.onExportError = (err) => app.log.error({ err }, 'could not append to the audit heads file (AUDIT_HEADS_FILE)');
  // Ids and a short reason only: never endpoints, subscription keys, addresses or SMTP/webhook credentials.
  ctx.alerting.onDeliveryFailure = (failure) => app.log.warn({ notification: failure }, 'notification delivery failed');
  ctx.alerting.onError = (err) => app.log.error({ errName: err instanceof Error ? err.name : typeof err }, 'notification machinery failed');

  registerErrorHandlers(app);
  // Ajv's type coercion turns `?limit=1e309` into Infinity and then lets it past `maximum`
  // (found by the fuzzer); no query or path number of this API may be non-finite.
  app.addHook('preHandler', (request, _reply, done) => {
    done(nonFinite(request.query) ?? nonFinite(request.params));
  });

  // Helmet's policy, rendered once at start (server/http/security-headers.ts), on every response.
  const applySecurityHeaders = securityHeaders(config);
  app.addHook('onRequest', (request, reply, done) => {
    applySecurityHeaders(request.raw, reply.raw);
    done();
  });
  if (config.corsOrigins.length > 0) {
    await app.register(cors, { origin: config.corsOrigins, credentials: false });
  }
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.max,
    timeWindow: config.rateLimit.windowMs,
    ...(redis ? { store: sharedRateLimitStore(redis, rateLimitRedisFailed(app)) } : {}),
    errorResponseBuilder: (_req, context) => ({
      statusCode: context.statusCode,
      error: { code: 'rate_limited', message: `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s` },
    }),
  });
  // Unknown routes count against the same per-IP budget as every route.
  registerNotFoundHandler(app, app.rateLimit());
  enforceBodyRate(app, config.limits.minBodyBytesPerSecond, config.limits.bodyGraceMs);
  await app.register(jwt, {
    secret: { private: ctx.secrets.jwtPrivateKeyPem, public: ctx.secrets.jwtPublicKeyPem },
    sign: {
      algorithm: 'EdDSA',
      iss: config.jwt.issuer,
      aud: config.jwt.audience,
      expiresIn: `${config.jwt.accessTtlSeconds}s`,
    },
    // The algorithm is pinned: "none", HS256 and any other algorithm are rejected outright.
    verify: {
      algorithms: ['EdDSA'],
      allowedIss: config.jwt.issuer,
      allowedAud: config.jwt.audience,
      requiredClaims: ['exp', 'iss', 'aud', 'sub', 'sid'],
    },
  });
  ctx.auth.useSigner((claims) => app.jwt.sign(claims));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Liaison API',
        version: '1',
        description: 'End-to-end encrypted inter-agency liaison messaging. Every error is `{ error: { code, message } }`.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  registerAuthentication(app);
  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(authRoutes, { prefix: '/api/v1' });
  await app.register(enrolmentRoutes, { prefix: '/api/v1' });
  await app.register(accountRoutes, { prefix: '/api/v1' });
  await app.register(auditRoutes, { prefix: '/api/v1' });
  await app.register(keysRoutes, { prefix: '/api/v1' });
  await app.register(agreementsRoutes, { prefix: '/api/v1' });
  await app.register(channelsRoutes, { prefix: '/api/v1' });
  await app.register(messagesRoutes, { prefix: '/api/v1' });
  await app.register(attachmentsRoutes, { prefix: '/api/v1' });
  await app.register(directoryRoutes, { prefix: '/api/v1' });
  await app.register(desksRoutes, { prefix: '/api/v1' });
  await app.register(notificationsRoutes, { prefix: '/api/v1' });
  await app.register(pagesRoutes, { prefix: '/api/v1' });
  await app.register(intakeRoutes, { prefix: '/api/v1' });
  await app.register(requestsRoutes, { prefix: '/api/v1' });
  await app.register(statsRoutes, { prefix: '/api/v1' });
  attachRealtime(app);
  scheduleRetention(app);
  if (ctx.store.writable) schedulePaging(app);
  if (ctx.store.writable) scheduleReachability(app);
  if (ctx.store.writable) scheduleRequestReminders(app);
  // Last: the web app at `/` with its SPA fallback never shadows an API, docs or health route.
  await app.register(webPlugin);
  return app;
}

function nonFinite(values: unknown): ValidationError | undefined {
  if (values === null || typeof values !== 'object') return undefined;
  for (const [key, value] of Object.entries(values)) {
    const items: unknown[] = Array.isArray(value) ? value : [value];
    if (items.some((v) => typeof v === 'number' && !Number.isFinite(v))) return new ValidationError(`${key} must be a finite number`);
  }
  return undefined;
}

/** Logs a failing shared rate-limit counter at most once a minute (each request would otherwise log). */
function rateLimitRedisFailed(app: App): (err: Error) => void {
  let last = 0;
  return (err) => {
    if (Date.now() - last < 60_000) return;
    last = Date.now();
    app.log.warn({ errName: err.name }, 'redis: rate-limit counter failed; this node enforces the limits on its own counts');
  };
}
