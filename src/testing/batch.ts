/**
 * Oro's Batch API: `PATCH {base}/{type}` answered 202 with an async operation that moves
 * `new` -> `running` -> `success` | `failed` on timers and processes records in chunks of 100
 * (seeded random order inside a chunk; valid records saved even when others fail), and the
 * synchronous variant (`X-Mode: sync`: at most 100 records, all or nothing, 200).
 */
import type { Json, Resource } from '../types/index.js';
import { apiError, at, errorReply, isObject, oroDateTime, type ApiError, type Reply } from './json-api.js';
import { invalidJsonDetail, unparsableFileDetail } from './json-parse.js';
import { shuffled, type Rng } from './random.js';
import { renderRecord, type RenderOptions } from './serialize.js';
import type { Store } from './store.js';
import { commitWrites, planWrites, savedRecord, type Committed, type WriteItem } from './write.js';

/** Records per chunk, as Oro splits a batch. */
export const CHUNK_SIZE = 100;
/** Most records `X-Mode: sync` accepts (and included records). */
export const SYNC_LIMIT = 100;
export const SYNC_INCLUDED_LIMIT = 50;

/** `status` of an async operation. */
export type OperationStatus = 'new' | 'running' | 'success' | 'failed' | 'cancelled';

/** The summary Oro reports once an operation has run. */
export interface OperationSummary {
  readonly aggregateTime: number;
  readonly readCount: number;
  readonly writeCount: number;
  readonly errorCount: number;
  readonly createCount: number;
  readonly updateCount: number;
}

/** One error of an operation (`asyncoperationerrors`); `status` is an integer here. */
export interface OperationError {
  readonly id: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly source?: { readonly pointer: string };
}

/** One async operation. */
export interface AsyncOperation {
  readonly id: string;
  readonly entityType: string;
  readonly createdAt: number;
  status: OperationStatus;
  progress: number | null;
  updatedAt: number;
  finishedAt: number | undefined;
  summary: OperationSummary | null;
  readonly errors: OperationError[];
}

/** Where included records sit (`type\0id` -> index) and which included records point at a key. */
interface IncludedLinks {
  readonly byKey: ReadonlyMap<string, number>;
  readonly referrers: ReadonlyMap<string, readonly number[]>;
}

interface BatchBody {
  readonly data: readonly unknown[];
  readonly included: readonly unknown[];
}

/** Checks the top level of a batch document; an error when it is not `{data: [...], included?: [...]}`. */
function readBatchBody(parsed: unknown): BatchBody | ApiError {
  if (!isObject(parsed) || !Array.isArray(parsed['data']))
    return apiError(400, 'request data constraint', 'The primary data object collection should exist and be an array.', at('/data'));
  const included = parsed['included'] ?? [];
  if (!Array.isArray(included)) return apiError(400, 'request data constraint', "The 'included' property should be an array.", at('/included'));
  return { data: parsed['data'] as unknown[], included };
}

const dataItem = (raw: unknown, index: number, type: string): WriteItem => ({
  raw,
  pointer: `/data/${index}`,
  metaBase: `/data/${index}`,
  role: 'data',
  expectedType: type,
  batch: true,
});
const includedItem = (raw: unknown, index: number): WriteItem => ({ raw, pointer: `/included/${index}`, metaBase: `/included/${index}`, role: 'included' });

/** `type\0id` of a resource identifier-ish value, if it is one. */
const identifierKey = (value: unknown): string | undefined =>
  isObject(value) && typeof value['type'] === 'string' && typeof value['id'] === 'string' ? `${value['type']}\u0000${value['id']}` : undefined;

/** Keys of every `{type, id}` a resource object's relationships point at. */
function referencesOf(raw: unknown): string[] {
  if (!isObject(raw) || !isObject(raw['relationships'])) return [];
  const out: string[] = [];
  for (const rel of Object.values(raw['relationships'])) {
    if (!isObject(rel)) continue;
    const data = rel['data'];
    for (const d of Array.isArray(data) ? data : [data]) {
      const key = identifierKey(d);
      if (key) out.push(key);
    }
  }
  return out;
}

/** Renders committed writes as the response's data / included. */
function renderCommitted(store: Store, committed: readonly Committed[], options: RenderOptions): { data: Resource[]; included: Resource[] } {
  const data: Resource[] = [];
  const included: Resource[] = [];
  for (const c of committed) {
    const isData = c.write.item.role === 'data';
    const meta: Record<string, Json> | undefined =
      c.write.requestId === undefined ? undefined : isData ? { dataId: c.write.requestId } : { includeId: c.write.requestId };
    (isData ? data : included).push(renderRecord(store, c.write.spec.name, savedRecord(store, c), options, meta));
  }
  return { data, included };
}

/** `X-Mode: sync`: validates every record first; saves all of them or none. */
export function handleSyncBatch(store: Store, type: string, body: string, now: number, options: RenderOptions): Reply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return errorReply([apiError(400, 'bad request http exception', invalidJsonDetail(body))]);
  }
  const doc = readBatchBody(parsed);
  if ('status' in doc) return errorReply([doc]);
  if (doc.data.length > SYNC_LIMIT)
    return errorReply([
      apiError(400, 'request data constraint', `The data limit for the synchronous operation exceeded. The maximum number of records that can be processed by the synchronous operation is ${SYNC_LIMIT}.`),
    ]);
  if (doc.included.length > SYNC_INCLUDED_LIMIT)
    return errorReply([
      apiError(
        400,
        'request data constraint',
        `The data limit for the synchronous operation exceeded for the section "included". The maximum number of included records that can be processed by the synchronous operation is ${SYNC_INCLUDED_LIMIT}.`,
      ),
    ]);
  const items = [...doc.data.map((raw, i) => dataItem(raw, i, type)), ...doc.included.map((raw, i) => includedItem(raw, i))];
  const plan = planWrites(store, items, now);
  if (!plan.ok) return errorReply(plan.errors);
  const { data, included } = renderCommitted(store, commitWrites(store, plan.writes, now), options);
  return { status: 200, json: included.length > 0 ? { data, included } : { data } };
}

/**
 * Runs async operations on timers, as Oro's message-queue consumer would; `close()` stops them all.
 * While the consumer is down, operations stay `new` and start once it is back.
 */
export class AsyncOperations {
  private readonly operations = new Map<string, AsyncOperation>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Operations submitted while the consumer was down, with their bodies, in submission order. */
  private readonly waiting: { readonly op: AsyncOperation; readonly body: string }[] = [];
  /** Sync batches waiting for the consumer: each resolves `true` when it comes back. */
  private readonly waiters = new Set<(back: boolean) => void>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly rng: Rng,
    private readonly stepMs: number,
    private down: boolean,
  ) {}

  /** `true` while Oro's message-queue consumer is not running. */
  get consumerDown(): boolean {
    return this.down;
  }

  /** Stops or restarts the consumer; a restart starts every waiting operation and wakes waiting sync batches. */
  setConsumerDown(down: boolean): void {
    this.down = down;
    if (down) return;
    for (const { op, body } of this.waiting.splice(0)) this.later(this.stepMs, () => this.start(op, body));
    for (const wake of [...this.waiters]) wake(true);
  }

  /** Waits up to `ms` for the consumer to come back; `true` when it did. */
  consumerBack(ms: number): Promise<boolean> {
    if (!this.down) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (back: boolean): void => {
        this.waiters.delete(done);
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve(back);
      };
      const timer = setTimeout(() => done(false), ms);
      this.timers.add(timer);
      this.waiters.add(done);
    });
  }

  get(id: string): AsyncOperation | undefined {
    return this.operations.get(id);
  }

  /** Accepts a batch body without parsing it (Oro parses it later, in the queue consumer). */
  submit(type: string, body: string): AsyncOperation {
    const created = this.now();
    const op: AsyncOperation = {
      id: String(this.nextId++),
      entityType: type,
      createdAt: created,
      status: 'new',
      progress: null,
      updatedAt: created,
      finishedAt: undefined,
      summary: null,
      errors: [],
    };
    this.operations.set(op.id, op);
    if (this.down) this.waiting.push({ op, body });
    else this.later(this.stepMs, () => this.start(op, body));
    return op;
  }

  close(): void {
    this.closed = true;
    for (const wake of [...this.waiters]) wake(false);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(timer);
  }

  private touch(op: AsyncOperation): void {
    op.updatedAt = this.now();
  }

  private start(op: AsyncOperation, body: string): void {
    const startedAt = Date.now();
    op.status = 'running';
    this.touch(op);
    let doc: BatchBody | ApiError;
    try {
      doc = readBatchBody(JSON.parse(body));
    } catch {
      // Oro's consumer fails the whole operation: one error `<op>-0-1`, progress stays null.
      const error = { id: `${op.id}-0-1`, status: 500, title: 'async operation exception', detail: unparsableFileDetail(body) };
      this.later(this.stepMs, () => this.finish(op, 'failed', [error], { readCount: 0, writeCount: 0, createCount: 0, updateCount: 0 }, startedAt));
      return;
    }
    if ('status' in doc) {
      const error = toOperationError(doc, `${op.id}-1-1`);
      this.later(this.stepMs, () => this.finish(op, 'failed', [error], { readCount: 0, writeCount: 0, createCount: 0, updateCount: 0 }, startedAt));
      return;
    }
    op.progress = 0;
    const body_ = doc;
    const chunks = Math.max(1, Math.ceil(body_.data.length / CHUNK_SIZE));
    const includedByKey = new Map<string, number>();
    const referrers = new Map<string, number[]>();
    body_.included.forEach((raw, i) => {
      const key = identifierKey(raw);
      if (key && !includedByKey.has(key)) includedByKey.set(key, i);
      for (const ref of referencesOf(raw)) referrers.set(ref, [...(referrers.get(ref) ?? []), i]);
    });
    const resolved = new Map<string, string>();
    const usedIncluded = new Set<number>();
    const counts = { readCount: body_.data.length, writeCount: 0, createCount: 0, updateCount: 0 };
    const runChunk = (chunk: number): void => {
      const indexes = Array.from({ length: Math.min(CHUNK_SIZE, body_.data.length - chunk * CHUNK_SIZE) }, (_, k) => chunk * CHUNK_SIZE + k);
      // Records are saved in any order, but their errors are numbered in record order (`<op>-1-1` is /data/0's).
      const refused = new Map<number, readonly ApiError[]>();
      for (const i of shuffled(indexes, this.rng)) {
        const items = [dataItem(body_.data[i], i, op.entityType), ...this.closure(body_, i, { byKey: includedByKey, referrers }, resolved, usedIncluded)];
        const plan = planWrites(this.store, items, this.now(), resolved);
        if (!plan.ok) {
          refused.set(i, plan.errors);
          continue;
        }
        for (const c of commitWrites(this.store, plan.writes, this.now())) {
          if (c.write.item.role === 'included' && c.write.requestId !== undefined) resolved.set(`${c.write.spec.name}\u0000${c.write.requestId}`, c.record.id);
          if (c.write.item.role !== 'data') continue;
          counts.writeCount++;
          if (c.write.isNew) counts.createCount++;
          else counts.updateCount++;
        }
      }
      let n = 0;
      for (const i of indexes) for (const e of refused.get(i) ?? []) op.errors.push(toOperationError(e, `${op.id}-${chunk + 1}-${++n}`));
      op.progress = (chunk + 1) / chunks;
      this.touch(op);
      if (chunk + 1 < chunks) this.later(0, () => runChunk(chunk + 1));
      else {
        let n = 0;
        body_.included.forEach((_, i) => {
          if (!usedIncluded.has(i))
            op.errors.push(
              toOperationError(
                apiError(400, 'request data constraint', 'The entity should have a relationship with the primary entity and this should be explicitly specified in the request.', at(`/included/${i}`)),
                `${op.id}-${chunks + 1}-${++n}`,
              ),
            );
        });
        this.later(Math.max(0, this.stepMs - (Date.now() - startedAt)), () => this.finish(op, 'success', [], counts, startedAt));
      }
    };
    runChunk(0);
  }

  /**
   * Included records (not created yet) linked to a data record: those it reaches through its
   * relationships, and those that point back at it (a customer user naming its new customer).
   */
  private closure(body: BatchBody, index: number, links: IncludedLinks, resolved: ReadonlyMap<string, string>, used: Set<number>): WriteItem[] {
    const out: WriteItem[] = [];
    const seen = new Set<number>();
    const own = identifierKey(body.data[index]);
    const take = (i: number): void => {
      if (seen.has(i)) return;
      seen.add(i);
      used.add(i);
      out.push(includedItem(body.included[i], i));
      queue.push(...referencesOf(body.included[i]));
    };
    const queue = referencesOf(body.data[index]);
    if (own) for (const i of links.referrers.get(own) ?? []) take(i);
    while (queue.length > 0) {
      const key = queue.shift() as string;
      const i = links.byKey.get(key);
      if (i === undefined || resolved.has(key)) continue;
      take(i);
    }
    return out;
  }

  private finish(op: AsyncOperation, status: OperationStatus, extra: readonly OperationError[], counts: Omit<OperationSummary, 'aggregateTime' | 'errorCount'>, startedAt: number): void {
    op.errors.push(...extra);
    op.status = status;
    if (status !== 'failed') op.progress = 1;
    op.finishedAt = this.now();
    op.summary = {
      aggregateTime: Date.now() - startedAt,
      readCount: counts.readCount,
      writeCount: counts.writeCount,
      errorCount: op.errors.length,
      createCount: counts.createCount,
      updateCount: counts.updateCount,
    };
    this.touch(op);
  }
}

function toOperationError(e: ApiError, id: string): OperationError {
  const pointer = e.source && 'pointer' in e.source ? e.source.pointer : undefined;
  return pointer === undefined
    ? { id, status: Number(e.status), title: e.title, detail: e.detail }
    : { id, status: Number(e.status), title: e.title, detail: e.detail, source: { pointer } };
}

/** An operation as a JSON:API resource object. */
export function renderOperation(op: AsyncOperation, baseUrl: string, hateoas: boolean, now: number): Resource {
  const resource: Record<string, unknown> = { type: 'asyncoperations', id: op.id };
  if (hateoas) resource['links'] = { self: `${baseUrl}/asyncoperations/${op.id}` };
  resource['attributes'] = {
    entityType: op.entityType,
    status: op.status,
    progress: op.progress,
    createdAt: oroDateTime(op.createdAt),
    updatedAt: oroDateTime(op.updatedAt),
    elapsedTime: Math.max(0, Math.floor(((op.finishedAt ?? now) - op.createdAt) / 1000)),
    summary: op.summary as unknown as Json,
  };
  // The API user (every token is user 1's) and its organization, as Oro's get_async_operation.yml shows them.
  resource['relationships'] = { owner: { data: { type: 'users', id: '1' } }, organization: { data: { type: 'organizations', id: '1' } } };
  return resource as unknown as Resource;
}

/** One operation error as an `asyncoperationerrors` resource object. */
export function renderOperationError(e: OperationError): Resource {
  const attributes: Record<string, Json> = { status: e.status, title: e.title, detail: e.detail };
  if (e.source) attributes['source'] = { pointer: e.source.pointer };
  return { type: 'asyncoperationerrors', id: e.id, attributes } as Resource;
}
