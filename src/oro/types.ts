import type { BatchDocument, Json, Resource, ResourceObject, SingleDocument } from '../types/jsonapi.js';
import type { ErrorDetail } from '../types/outcome.js';

/** A read of a list (`GET {base}/{type}`), `docs/oro-api.md` §3. */
export interface ListQuery {
  /** `filter[field]=v` or, with an operator, `filter[field][op]=v`. Arrays are joined with `,` (OR). */
  readonly filter?: Readonly<Record<string, string | readonly string[] | Readonly<Partial<Record<FilterOp, string>>>>>;
  readonly page?: { readonly number?: number; readonly size?: number };
  /** e.g. `-updatedAt,id` */
  readonly sort?: string;
  /** Sparse fieldsets: `{ customers: ['name', 'updatedAt'] }` -> `fields[customers]=name,updatedAt`. */
  readonly fields?: Readonly<Record<string, readonly string[]>>;
  readonly include?: readonly string[];
  /** Ask for `X-Include: totalCount` and read `X-Include-Total-Count`. */
  readonly totalCount?: boolean;
}

export type FilterOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'exists' | 'neq_or_null';

/** One page of a list. */
export interface ListPage {
  readonly data: readonly Resource[];
  readonly included?: readonly Resource[];
  /** Absolute URL of the next page (`links.next`), absent on the last page. */
  readonly next?: string;
  /** From `X-Include-Total-Count`, when asked for. */
  readonly total?: number;
  /**
   * Oro's clock when it answered: the `Date` header as epoch ms (whole seconds), absent when the
   * answer had none. An incremental reader needs the server's time, not its own, to know which
   * of Oro's `updatedAt` seconds are over.
   */
  readonly date?: number;
}

/** Result of a POST: 201 created, or 200 when an upsert updated an existing record. */
export interface CreateResult {
  readonly created: boolean;
  readonly resource: Resource;
  readonly included?: readonly Resource[];
}

/** An async operation (`asyncoperations`), `docs/oro-api.md` §6. */
export interface AsyncOperation {
  readonly id: string;
  readonly status: 'new' | 'running' | 'success' | 'failed' | 'cancelled';
  readonly progress: number | null;
  readonly summary: AsyncOperationSummary | null;
}

export interface AsyncOperationSummary {
  readonly aggregateTime?: number;
  readonly readCount?: number;
  readonly writeCount?: number;
  readonly errorCount?: number;
  readonly createCount?: number;
  readonly updateCount?: number;
}

/** One error of an async operation; `status` is an integer here. */
export interface AsyncOperationError extends ErrorDetail {
  readonly id: string;
  readonly status: number;
}

/** What `PATCH {base}/{type}` gave back: a handle on the async operation. */
export interface AsyncOperationHandle {
  readonly id: string;
  /** The `Content-Location` URL. */
  readonly url: string;
  /** One poll. */
  get(): Promise<AsyncOperation>;
  /** Poll until `success`, `failed` or `cancelled`, with backoff between polls. */
  settle(options?: {
    readonly intervalMs?: number;
    readonly maxIntervalMs?: number;
    readonly timeoutMs?: number;
    readonly signal?: AbortSignal;
    /** Awaited before each poll: a caller behind a rate limit takes its token here (no slot is held meanwhile). */
    readonly beforePoll?: () => Promise<void>;
  }): Promise<AsyncOperation>;
  /** Every error of the operation, all pages read. */
  errors(): Promise<readonly AsyncOperationError[]>;
}

/** Result of a sync batch (`X-Mode: sync`): records in request order. */
export interface SyncBatchResult {
  readonly data: readonly Resource[];
  readonly included?: readonly Resource[];
  /**
   * Set when Oro fell back to async processing (past 25 s, or while its message-queue consumer is
   * down, it answers 202 + `Content-Location`): the operation to poll. `data` is then empty, and
   * the batch is NOT all-or-nothing: records without an error of the operation are saved.
   */
  readonly asyncFallback?: AsyncOperationHandle;
}

/** What `OPTIONS {base}/{type}` tells about a type. */
export interface TypeCapabilities {
  readonly allow: readonly string[];
  /** `PATCH` in `Allow`: the Batch API is enabled for this type. */
  readonly batchEnabled: boolean;
}

/**
 * What a caller tells the client about a write, for its request events (debug logs): never sent
 * to Oro.
 */
export interface RequestNote {
  /** The source keys of the records the request writes, in the order of its `data`. */
  readonly keys?: readonly string[];
}

/**
 * The Oro JSON:API client. Every method throws typed errors (`HttpError`, `NetworkError`,
 * `TimeoutError`, `DecodeError`, `TokenError`); it handles 401 itself (one token refresh, one
 * replay) and does not retry anything else: that is the retry operator's job.
 *
 * @example
 * ```ts
 * const { client } = createOro({ baseUrl, clientId, clientSecret });
 * const page = await client.list('customers', { filter: { externalId: ['C-1', 'C-2'] }, fields: { customers: ['externalId'] } });
 * ```
 */
export interface OroClient {
  readonly baseUrl: string;
  list(type: string, query?: ListQuery): Promise<ListPage>;
  /** Follow an absolute `links.next` URL. */
  listNext(url: string): Promise<ListPage>;
  get(type: string, id: string, query?: Pick<ListQuery, 'fields' | 'include'>): Promise<Resource>;
  create(document: SingleDocument, note?: RequestNote): Promise<CreateResult>;
  update(document: SingleDocument & { readonly data: ResourceObject & { readonly id: string } }, note?: RequestNote): Promise<Resource>;
  delete(type: string, id: string, note?: RequestNote): Promise<void>;
  batch(type: string, document: BatchDocument, note?: RequestNote): Promise<AsyncOperationHandle>;
  batchSync(type: string, document: BatchDocument, note?: RequestNote): Promise<SyncBatchResult>;
  options(type: string): Promise<TypeCapabilities>;
  /** Close the keep-alive agent. */
  close(): void;
}

export type { Json };
