/**
 * The fake Oro HTTP server: node:http, routing, authentication, media types, faults, latency and
 * the inspection API. Everything Oro-specific lives in the handlers; this file is the plumbing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Json, Resource } from '../types/index.js';
import { AsyncOperations } from './batch.js';
import { Capacity, type CapacityOptions, type CapacityStats } from './capacity.js';
import type { Family } from './family.js';
import { FaultInjector } from './faults.js';
import { handleAsyncOperation, handleCollection, handleItem, specOf, type ApiContext, type ApiRequest } from './handlers.js';
import { ApiFailure, JSON_API, apiError, errorReply, oroDateTime, type Reply } from './json-api.js';
import { mediaTypeError } from './media-types.js';
import { TokenRegistry, handleTokenRequest } from './oauth.js';
import { oroQuery } from './query-string.js';
import { handleRelated } from './relationships.js';
import { streamFor } from './random.js';
import { RateLimiter } from './rate-limit.js';
import { ASYNC_OPERATIONS, LATEST_VERSION, fixturesFor, typesFor, type OroVersion } from './resources.js';
import { renderRecord } from './serialize.js';
import type { StoredLink } from './records.js';
import { Store } from './store.js';
import type { BeforeRequest, FakeOro, FakeOroOptions, FakeOroSnapshot, FaultOptions, Latency, RequestLogEntry, SeedRelationship } from './types.js';
import { commitWrites, planWrites, savedRecord } from './write.js';

const TOKEN_PATH = '/oauth2-token';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

class FakeOroServer implements FakeOro {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly version: OroVersion;
  private readonly log: RequestLogEntry[] = [];
  private readonly store: Store;
  private readonly families: readonly Family[];
  private readonly limiter: RateLimiter | undefined;
  private readonly tokens: TokenRegistry;
  private readonly faults: FaultInjector;
  private readonly capacity: Capacity;
  private readonly operations: AsyncOperations;
  private readonly ctx: ApiContext;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;
  private readonly prefix: string;
  private readonly ttl: number;
  private closing: Promise<void> | undefined;
  private beforeRequest: BeforeRequest | undefined;

  constructor(
    private readonly server: Server,
    readonly port: number,
    host: string,
    options: FakeOroOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.version = options.version ?? LATEST_VERSION;
    this.families = options.families ?? [];
    this.store = new Store(typesFor(this.version, this.families), this.version);
    this.limiter = options.rateLimit ? new RateLimiter(options.rateLimit, this.now) : undefined;
    this.prefix = (options.apiPrefix ?? '/admin/api').replace(/\/+$/, '');
    const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.baseUrl = `${origin}${this.prefix}`;
    this.tokenUrl = `${origin}${TOKEN_PATH}`;
    this.clientId = options.clientId ?? 'oro-sync-demo';
    this.clientSecret = options.clientSecret ?? 'oro-sync-demo-secret';
    this.ttl = options.tokenTtlSeconds ?? 3600;
    const seed = options.seed ?? 1;
    this.tokens = new TokenRegistry(this.ttl, this.now);
    this.faults = new FaultInjector(seed, options.faults, options.latency);
    this.capacity = new Capacity(options.capacity, this.now, (ms) => this.delay(ms));
    this.operations = new AsyncOperations(this.store, this.now, streamFor(seed, 3), options.asyncStepMs ?? 20, options.consumerDown ?? options.queueDown ?? false);
    this.ctx = {
      store: this.store,
      operations: this.operations,
      baseUrl: this.baseUrl,
      now: this.now,
      batchDisabled: new Set(options.batchDisabled ?? ['customergroups']),
      maxPageSize: options.maxPageSize ?? {},
      syncWaitMs: options.syncWaitMs ?? 25_000,
    };
    this.loadFixtures();
    for (const [name, value] of Object.entries(options.config ?? {})) this.store.config.set(name, value);
    this.beforeRequest = options.beforeRequest;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res));
  }

  get tokenGrants(): number {
    return this.tokens.grants;
  }

  get requests(): readonly RequestLogEntry[] {
    return this.log;
  }

  records(type: string): Resource[] {
    const table = this.store.table(type);
    if (!table) throw new Error(`fake Oro: unknown type "${type}"`);
    const out: Resource[] = [];
    for (const record of table.values()) out.push(structuredClone(renderRecord(this.store, type, record, { baseUrl: this.baseUrl, hateoas: false })));
    if (table.spec.idKind !== 'integer') out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return out;
  }

  seed(type: string, attributes: Record<string, Json>, relationships: Record<string, SeedRelationship> = {}): Resource {
    const spec = this.store.spec(type);
    if (!spec) throw new Error(`fake Oro: cannot seed unknown type "${type}" (Oro ${this.version})`);
    if (!spec.generatedIds) throw new Error(`fake Oro: cannot seed "${type}" (its ids are not generated)`);
    return this.writeInternal('seed', { type, attributes, relationships });
  }

  touch(type: string, id: string, changes: { readonly attributes?: Record<string, Json>; readonly relationships?: Record<string, SeedRelationship> } = {}): Resource {
    if (!this.store.spec(type)) throw new Error(`fake Oro: cannot touch unknown type "${type}" (Oro ${this.version})`);
    if (!this.store.exists(type, id)) throw new Error(`fake Oro: there is no ${type} ${id} to touch`);
    return this.writeInternal('touch', { type, id, attributes: changes.attributes ?? {}, relationships: changes.relationships ?? {} }, id);
  }

  snapshot(): FakeOroSnapshot {
    return this.store.snapshot();
  }

  restore(snapshot: FakeOroSnapshot): void {
    this.store.restore(snapshot);
  }

  setConfig(name: string, value: Json): void {
    this.store.config.set(name, value);
  }

  setBeforeRequest(hook: BeforeRequest | undefined): void {
    this.beforeRequest = hook;
  }

  /**
   * A write of the test harness: validated as a POST (or, with `urlId`, a PATCH) is, hooks
   * included, with what Oro sets itself (read-only relationships) allowed; `createdAt` and
   * `updatedAt` may be given, else they are stamped now.
   */
  private writeInternal(what: string, raw: { type: string; id?: string; attributes: Record<string, Json>; relationships: Record<string, SeedRelationship> }, urlId?: string): Resource {
    const { type, attributes } = raw;
    const item = { raw, pointer: '/data', metaBase: '', role: 'data', internal: true, ...(urlId !== undefined ? { urlId } : {}) } as const;
    const plan = planWrites(this.store, [item], this.now());
    if (!plan.ok) throw new Error(`fake Oro: invalid ${type} ${what}: ${plan.errors.map((e) => `${e.title} (${e.detail}) at ${e.source && 'pointer' in e.source ? e.source.pointer : '?'}`).join('; ')}`);
    const [committed] = commitWrites(this.store, plan.writes, this.now());
    if (!committed) throw new Error(`fake Oro: ${what} wrote nothing`);
    let record = savedRecord(this.store, committed);
    const stamps: Record<string, Json> = {};
    for (const name of ['createdAt', 'updatedAt'])
      if (typeof attributes[name] === 'string' && committed.write.spec.timestamps) stamps[name] = oroDateTime(Date.parse(attributes[name]));
    if (Object.keys(stamps).length > 0) {
      record = { ...record, attributes: { ...record.attributes, ...stamps } };
      this.store.table(type)?.put(record);
    }
    return renderRecord(this.store, type, record, { baseUrl: this.baseUrl, hateoas: false });
  }

  revokeTokens(): void {
    this.tokens.revokeAll();
  }

  setFaults(faults: Partial<FaultOptions>): void {
    this.faults.set(faults);
  }

  setLatency(latency: Latency): void {
    this.faults.setLatency(latency);
  }

  setCapacity(capacity: CapacityOptions): void {
    this.capacity.set(capacity);
  }

  capacityStats(): CapacityStats {
    return this.capacity.stats();
  }

  setConsumerDown(down: boolean): void {
    this.operations.setConsumerDown(down);
  }

  resetLog(): void {
    this.log.length = 0;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.operations.close();
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
    });
    return this.closing;
  }

  private loadFixtures(): void {
    const stamp = oroDateTime(this.now());
    for (const f of fixturesFor(this.families)) {
      const table = this.store.table(f.type);
      if (!table) continue;
      const spec = table.spec;
      const attributes: Record<string, Json> = { ...f.attributes };
      if (spec.timestamps) Object.assign(attributes, { createdAt: stamp, updatedAt: stamp });
      const relationships: Record<string, StoredLink> = {};
      for (const [name, rel] of Object.entries(spec.relationships)) if (!rel.toMany) relationships[name] = rel.defaultId ?? null;
      table.put({ id: f.id ?? table.allocateId(), attributes, relationships: { ...relationships, ...f.relationships } });
    }
  }

  private delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = this.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    const isToken = path === TOKEN_PATH;
    const isApi = path === this.prefix || path.startsWith(`${this.prefix}/`);
    if (!isToken && !isApi) {
      this.send(res, { status: 404, text: 'Not Found', contentType: 'text/plain; charset=UTF-8' });
      return;
    }
    let reply: Reply | 'reset';
    if (isToken) {
      const fault = this.faults.settings.onToken ? this.faults.draw() : 'none';
      if (fault === 'reset') reply = 'reset';
      else if (fault !== 'none') reply = this.faults.reply(fault, this.now());
      else
        reply = handleTokenRequest(
          this.tokens,
          { id: this.clientId, secret: this.clientSecret, ttlSeconds: this.ttl },
          method,
          req.headers['content-type'] ?? '',
          body,
          req.headers.authorization,
        );
    } else {
      if (this.faults.countApiRequest()) this.tokens.revokeAll();
      const limited = this.rateLimited(req);
      const fault = limited ? 'none' : this.faults.draw();
      if (limited) reply = limited;
      else if (fault === 'reset') reply = 'reset';
      else if (fault !== 'none') reply = this.faults.reply(fault, this.now());
      else {
        // The moment between two requests of a client: a test changes records here.
        await this.beforeRequest?.({ method, path, query });
        reply = await this.capacity.serve(body, () => this.api(req, method, path.slice(this.prefix.length), query, body));
      }
      await this.delay(this.faults.delay());
      if (this.closing) return;
    }
    this.log.push({ method, path, query, status: reply === 'reset' ? 0 : reply.status, at });
    if (reply === 'reset') req.socket.destroy();
    else this.send(res, reply);
  }

  /**
   * The proxy's rate limit in front of the API (the token endpoint is not limited: a client asks
   * for a token once an hour, and a limit there would only hide API-side throttling from tests).
   * Keyed by the bearer token's OAuth client, else by the remote address.
   */
  private rateLimited(req: IncomingMessage): Reply | undefined {
    if (!this.limiter) return undefined;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const client = bearer === undefined ? undefined : this.tokens.clientOf(bearer);
    const decision = this.limiter.take(client === undefined ? `addr:${req.socket.remoteAddress ?? ''}` : `client:${client}`);
    if (decision.allowed) return undefined;
    return { status: 429, headers: { 'Retry-After': String(decision.retryAfterSeconds) }, text: 'Too Many Requests', contentType: 'text/plain; charset=UTF-8' };
  }

  /** Authentication, media types, routing; every failure becomes a reply. */
  private async api(req: IncomingMessage, method: string, rest: string, rawQuery: string, body: string): Promise<Reply> {
    // Parameters as Oro finds them in the query string: the outdated `filter[f]>=v` form is none.
    const query = oroQuery(rawQuery);
    const authorization = req.headers.authorization;
    if (query.has('access_token')) return { status: 401 };
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    // Oro answers OPTIONS (CORS preflight, feature detection) without authentication.
    if (method !== 'OPTIONS' && (!bearer?.[1] || !this.tokens.isValid(bearer[1])))
      return authorization === undefined ? { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } : { status: 401 };
    try {
      const mediaError = mediaTypeError(req.headers.accept, req.headers['content-type']);
      if (mediaError) return errorReply([mediaError]);
      const xInclude = new Set(
        String(req.headers['x-include'] ?? '')
          .split(/[;,]/)
          .map((s) => s.trim().toLowerCase())
          .filter((s) => s !== ''),
      );
      const contentType = req.headers['content-type'];
      const request: ApiRequest = {
        method,
        query,
        rawQuery,
        body,
        hateoas: !xInclude.has('nohateoas'),
        includeTotal: xInclude.has('totalcount'),
        includeDeleted: xInclude.has('deletedcount'),
        mode: typeof req.headers['x-mode'] === 'string' ? req.headers['x-mode'].trim() : undefined,
        contentType: contentType === undefined ? undefined : contentType.trim(),
      };
      const segments = rest.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
      const [type, id, sub, name, ...more] = segments;
      const notFound = errorReply([apiError(404, 'not found http exception', 'The requested resource does not exist.')]);
      if (type === undefined || more.length > 0) return notFound;
      if (type === ASYNC_OPERATIONS) return name === undefined ? handleAsyncOperation(this.ctx, request, id, sub) : notFound;
      const spec = specOf(this.store, type);
      if (id === undefined) return await handleCollection(this.ctx, request, spec);
      if (sub === undefined) return handleItem(this.ctx, request, spec, id);
      if (sub === 'relationships') return name === undefined ? notFound : handleRelated(this.ctx, request, spec, id, name, true);
      return name === undefined ? handleRelated(this.ctx, request, spec, id, sub, false) : notFound;
    } catch (e) {
      if (e instanceof ApiFailure) return errorReply(e.errors, e.headers);
      return errorReply([apiError(500, 'runtime exception', e instanceof Error ? e.message : String(e))]);
    }
  }

  private send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const headers: Record<string, string> = { ...reply.headers };
    let payload: string | undefined;
    if (reply.json !== undefined) {
      payload = JSON.stringify(reply.json);
      headers['Content-Type'] = reply.contentType ?? JSON_API;
    } else if (reply.text !== undefined) {
      payload = reply.text;
      headers['Content-Type'] = reply.contentType ?? 'text/plain; charset=UTF-8';
    }
    headers['Content-Length'] = String(payload === undefined ? 0 : Buffer.byteLength(payload));
    // By the fake's own clock, as `updatedAt` is: a client that reads Oro's time from `Date`
    // (to know which seconds are over) must see the clock that stamped the records.
    headers['Date'] = new Date(this.now()).toUTCString();
    res.writeHead(reply.status, headers);
    res.end(payload);
  }
}

/**
 * Starts a fake Oro (OAuth token endpoint + back-office JSON:API) on 127.0.0.1.
 *
 * @example
 * const oro = await startFakeOro({ latency: { min: 1, max: 5 }, faults: { rate429: 0.05 } });
 * // point oro-sync at oro.baseUrl / oro.tokenUrl with oro.clientId / oro.clientSecret
 * await oro.close();
 */
export async function startFakeOro(options: FakeOroOptions = {}): Promise<FakeOro> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer({ keepAlive: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  try {
    return new FakeOroServer(server, port, host, options);
  } catch (e) {
    // A family declared a type twice: do not leave the port open behind the error.
    server.close();
    throw e;
  }
}
