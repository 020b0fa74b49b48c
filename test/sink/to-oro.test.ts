import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { toOro } from '../../src/sink/to-oro.js';
import { mapRecords, type Mapping } from '../../src/operators/map.js';
import { batchRecords } from '../../src/operators/batch.js';
import { createLimiter } from '../../src/oro/limiter.js';
import type { Outcome, SourceRecord } from '../../src/types/index.js';
import { ConfigError, NetworkError } from '../../src/errors/index.js';
import type { OroClient } from '../../src/oro/types.js';
import type { SinkTarget, WriteMode, Strategy } from '../../src/sink/options.js';
import { retryAfterOf } from '../../src/errors/classify.js';
import type { RetryInfo } from '../../src/util/retry-policy.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

interface Customer { id: string; name: string; updatedAt?: string }

const mapping: Mapping<Customer> = {
  type: 'customers',
  key: { source: 'id', oro: 'externalId' },
  attributes: { name: 'name', externalId: 'id' },
  watermark: 'updatedAt',
};

/** n customers; every `invalidEvery`-th has an empty name, which Oro rejects. */
function customers(n: number, invalidEvery = 0, suffix = ''): SourceRecord<Customer>[] {
  return Array.from({ length: n }, (_, i) => ({
    value: { id: `C${i + 1}`, name: invalidEvery && (i + 1) % invalidEvery === 0 ? '' : `Customer ${i + 1}${suffix}` },
    position: { seq: i, where: `#${i}` },
  }));
}

async function sync(h: OroHarness, records: SourceRecord<Customer>[], target: Partial<SinkTarget>, extra: { dryRun?: boolean } = {}): Promise<Outcome[]> {
  const limiter = createLimiter({ concurrency: 8 });
  const full: SinkTarget = { type: 'customers', mode: 'single', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins', ...target };
  return lastValueFrom(
    from(records).pipe(
      mapRecords(mapping),
      batchRecords({ size: full.mode === 'single' ? 10 : 25, ms: 5 }),
      toOro({
        client: h.client,
        target: full,
        concurrency: 4,
        limiter,
        retry: { retries: 10, baseMs: 1, maxMs: 10, maxRetryAfterMs: 50 },
        scheduler: instantScheduler(),
        poll: { intervalMs: 2, maxIntervalMs: 10, timeoutMs: 10_000 },
        ...extra,
      }),
      toArray(),
    ),
  );
}

function byStatus(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
}

/** Every record has exactly one outcome (invariant 1). */
function expectOneOutcomeEach(records: SourceRecord[], outcomes: Outcome[]): void {
  const seqs = outcomes.map((o) => o.record.position.seq).sort((a, b) => a - b);
  expect(seqs).to.deep.equal(records.map((r) => r.position.seq));
}

/** Oro holds exactly the valid records, each once. */
function expectStoreHoldsValid(h: OroHarness, records: SourceRecord<Customer>[], nameSuffix = ''): void {
  const stored = h.oro.records('customers');
  const byKey = new Map<string, number>();
  for (const r of stored) {
    const key = String(r.attributes?.['externalId']);
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }
  const valid = records.filter((r) => r.value.name !== '');
  expect(stored.length, 'records in Oro').to.equal(valid.length);
  for (const r of valid) expect(byKey.get(r.value.id), `copies of ${r.value.id}`).to.equal(1);
  for (const r of stored) expect(String(r.attributes?.['name'])).to.match(new RegExp(`${nameSuffix}$`));
}

const faults = { rate429: 0.08, rate503: 0.05, rate500: 0.03, resetRate: 0.02, retryAfterSeconds: 0, revokeEvery: 37 };

describe('sink/toOro against the fake Oro', function () {
  this.timeout(30_000);
  let h: OroHarness;
  afterEach(async () => h?.close());

  const modes: WriteMode[] = ['single', 'batch-sync', 'batch'];
  const strategies: Strategy[] = ['lookup', 'create-only'];
  for (const mode of modes) {
    for (const strategy of strategies) {
      it(`${mode} × ${strategy}: one outcome per record, Oro holds exactly the valid ones, with faults on`, async () => {
        h = await startHarness({ seed: 7, faults, asyncStepMs: 2 });
        const records = customers(120, 10);
        const outcomes = await sync(h, records, { mode, strategy });
        expectOneOutcomeEach(records, outcomes);
        expect(byStatus(outcomes)).to.deep.equal({ created: 108, rejected: 12 });
        expectStoreHoldsValid(h, records);
        const rejection = outcomes.find((o) => o.status === 'rejected');
        expect(rejection?.status === 'rejected' && rejection.errors[0]).to.deep.include({ title: 'not blank constraint' });
        expect(h.oro.requests.some((r) => r.status === 429), 'faults were injected').to.equal(true);
      });
    }
  }

  for (const mode of modes) {
    it(`${mode} × lookup: re-running the same input creates nothing new and updates what exists`, async () => {
      h = await startHarness({ seed: 3, asyncStepMs: 2 });
      const records = customers(60, 0);
      await sync(h, records, { mode });
      const again = await sync(h, customers(60, 0, ' v2'), { mode });
      expect(byStatus(again)).to.deep.equal({ updated: 60 });
      expectStoreHoldsValid(h, records, ' v2');
    });

    it(`${mode} × create-only: existing records are skipped, not written`, async () => {
      h = await startHarness({ seed: 4, asyncStepMs: 2 });
      await sync(h, customers(30), { mode });
      const again = await sync(h, customers(30, 0, ' v2'), { mode, strategy: 'create-only' });
      expect(byStatus(again)).to.deep.equal({ skipped: 30 });
      expect(h.oro.records('customers').every((r) => !String(r.attributes?.['name']).endsWith('v2'))).to.equal(true);
    });
  }

  for (const mode of ['batch', 'batch-sync'] as const) {
    it(`${mode}: a batch Oro applied before the connection broke is decided again on retry, not sent again`, async () => {
      h = await startHarness({ seed: 5, asyncStepMs: 2 });
      const real = h.client;
      let calls = 0;
      const lost = (type: string) => new NetworkError('PATCH', `${real.baseUrl}/${type}`, new Error('ECONNRESET'));
      // The first request is applied by Oro, but its answer never arrives.
      const client: OroClient = {
        ...real,
        batch: async (type, document) => {
          calls++;
          const handle = await real.batch(type, document);
          if (calls > 1) return handle;
          await handle.settle({ intervalMs: 2 });
          throw lost(type);
        },
        batchSync: async (type, document) => {
          calls++;
          const result = await real.batchSync(type, document);
          if (calls > 1) return result;
          throw lost(type);
        },
      };
      const outcomes = await sync({ ...h, client }, customers(20), { mode, strategy: 'create-only' });
      // Found on the new look: skipped (they exist), and no second (empty) request is sent.
      expect(byStatus(outcomes)).to.deep.equal({ skipped: 20 });
      expect(calls).to.equal(1);
      expectStoreHoldsValid(h, customers(20));
    });
  }

  it('batch: an operation Oro never processes (queue consumer down) fails its records after the poll budget, once', async () => {
    h = await startHarness({ seed: 2, queueDown: true });
    const limiter = createLimiter({ concurrency: 4 });
    const scheduler = instantScheduler();
    const outcomes = await lastValueFrom(
      from(customers(5)).pipe(
        mapRecords(mapping),
        batchRecords({ size: 5, ms: 5 }),
        toOro({
          client: h.client,
          target: { type: 'customers', mode: 'batch', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' },
          limiter,
          retry: { retries: 6, baseMs: 1, maxMs: 5 },
          scheduler,
          poll: { intervalMs: 5, maxIntervalMs: 20, timeoutMs: 300 },
        }),
        toArray(),
      ),
    );
    expect(byStatus(outcomes)).to.deep.equal({ failed: 5 });
    const first = outcomes[0];
    expect(first?.status === 'failed' && first.errors[0]?.detail).to.match(/did not finish within 0.3 s.*message queue consumer/);
    // One budget for the whole wait, retries included, asked of the sink's clock (so not waited
    // out here); and the batch was submitted once.
    expect(scheduler.delays.filter((ms) => ms === 300)).to.have.length(1);
    expect(h.oro.requests.filter((r) => r.method === 'PATCH')).to.have.length(1);
  });

  for (const retryAfter of ['seconds', 'date'] as const) {
    it(`honours every Retry-After (${retryAfter} form): each 429/503 is retried after the wait Oro asked for`, async () => {
      h = await startHarness({ seed: 21, faults: { rate429: 0.25, rate503: 0.15, retryAfter, retryAfterSeconds: 1 } });
      const retries: RetryInfo[] = [];
      const scheduler = instantScheduler();
      const outcomes: Outcome[] = [];
      // One record at a time, so that the request after an overload answer is that request's retry.
      for (const record of customers(2)) {
        const limiter = createLimiter({ concurrency: 1 });
        outcomes.push(
          ...(await lastValueFrom(
            from([record]).pipe(
              mapRecords(mapping),
              batchRecords({ size: 1, ms: 5 }),
              toOro({
                client: h.client,
                target: { type: 'customers', mode: 'single', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' },
                limiter,
                retry: { retries: 10, baseMs: 1, maxMs: 5, onRetry: (info) => retries.push(info) },
                scheduler,
              }),
              toArray(),
            ),
          )),
        );
      }
      expect(byStatus(outcomes)).to.deep.equal({ created: 2 });
      const overloads = h.oro.requests.filter((r) => r.path !== '/oauth2-token' && (r.status === 429 || r.status === 503));
      expect(overloads.length, 'faults were injected').to.be.greaterThan(0);
      // Every overload answer was retried after its own Retry-After, not after the 5 ms backoff.
      const afterOverload = retries.filter((r) => retryAfterOf(r.error) !== undefined);
      expect(afterOverload).to.have.length(overloads.length);
      for (const { delayMs, error } of afterOverload) {
        expect(delayMs).to.equal(retryAfterOf(error));
        // Seconds: exactly 1 s. An HTTP date is a whole second at least 1 s after Oro's clock read it.
        if (retryAfter === 'seconds') expect(delayMs).to.equal(1000);
        else expect(delayMs).to.be.within(500, 2000);
      }
      // The waits were asked of the sink's scheduler, which did not make the test wait them out.
      expect(scheduler.delays.filter((ms) => ms >= 500)).to.have.length(overloads.length);
    });
  }

  for (const mode of ['batch', 'batch-sync'] as const) {
    it(`${mode}: a type whose Batch API is off stops the run with a config error saying what to change`, async () => {
      h = await startHarness({ seed: 3, batchDisabled: ['customers'] });
      const error = await sync(h, customers(3), { mode }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as Error).message).to.contain('target.mode').and.contain('405').and.contain('use "single"');
    });
  }

  it('upsert is refused by Oro for customers: the run stops with a config error quoting Oro\'s /meta/upsert reason', async () => {
    h = await startHarness({ seed: 5 });
    const error = await sync(h, customers(5), { strategy: 'upsert' }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.contain('target.strategy').and.contain('upsert operation is not allowed').and.contain('at /meta/upsert');
    expect(h.oro.records('customers')).to.have.length(0);
  });

  it('upsert on users (single mode) creates then updates by username, with faults on', async () => {
    // Oro allows upsert only by a unique column mapped to an API field: users' username is one,
    // products' sku is not (its unique constraint includes the organization).
    h = await startHarness({ seed: 6, faults });
    const limiter = createLimiter({ concurrency: 8 });
    const run = (suffix: string) =>
      lastValueFrom(
        from(Array.from({ length: 40 }, (_, i): SourceRecord => ({ value: { username: `user${i}`, email: `user${i}@example.com`, firstName: `U${i}${suffix}` }, position: { seq: i, where: `#${i}` } }))).pipe(
          mapRecords({ type: 'users', key: { source: 'username', oro: 'username' }, attributes: { username: 'username', email: 'email', firstName: 'firstName' } }),
          batchRecords({ size: 10, ms: 5 }),
          toOro({
            client: h.client,
            target: { type: 'users', mode: 'single', strategy: 'upsert', key: { oro: 'username' }, conflict: 'source-wins' },
            limiter,
            retry: { retries: 10, baseMs: 1, maxMs: 10, maxRetryAfterMs: 50 },
            scheduler: instantScheduler(),
          }),
          toArray(),
        ),
      );
    expect(byStatus(await run(''))).to.deep.equal({ created: 40 });
    expect(byStatus(await run(' v2'))).to.deep.equal({ updated: 40 });
    expect(h.oro.records('users').filter((u) => String(u.attributes?.['username']).startsWith('user'))).to.have.length(40);
  });

  it('skip-if-target-newer skips records whose Oro copy changed after the source record', async () => {
    h = await startHarness({ seed: 8 });
    await sync(h, customers(10), {});
    const old = customers(10, 0, ' old').map((r) => ({ ...r, value: { ...r.value, updatedAt: '2000-01-01T00:00:00Z' } }));
    const newer = customers(10, 0, ' new').map((r) => ({ ...r, value: { ...r.value, updatedAt: '2999-01-01T00:00:00Z' } }));
    expect(byStatus(await sync(h, old, { conflict: 'skip-if-target-newer' }))).to.deep.equal({ skipped: 10 });
    expect(byStatus(await sync(h, newer, { conflict: 'skip-if-target-newer' }))).to.deep.equal({ updated: 10 });
  });

  it('the same key twice in one input is written in order: one record in Oro, the later value wins', async () => {
    h = await startHarness({ seed: 9 });
    const records: SourceRecord<Customer>[] = [
      { value: { id: 'D1', name: 'first' }, position: { seq: 0, where: '#0' } },
      { value: { id: 'D1', name: 'second' }, position: { seq: 1, where: '#1' } },
      ...customers(30).map((r, i) => ({ ...r, position: { seq: i + 2, where: `#${i + 2}` } })),
      { value: { id: 'D1', name: 'third' }, position: { seq: 32, where: '#32' } },
    ];
    const outcomes = await sync(h, records, {});
    expectOneOutcomeEach(records, outcomes);
    const d1 = h.oro.records('customers').filter((r) => r.attributes?.['externalId'] === 'D1');
    expect(d1).to.have.length(1);
    expect(d1[0]?.attributes?.['name']).to.equal('third');
  });

  it('a dry run reads, decides and reports, and writes nothing', async () => {
    h = await startHarness({ seed: 10 });
    await sync(h, customers(5), {});
    const before = h.oro.records('customers');
    h.oro.resetLog();
    const outcomes = await sync(h, customers(8, 4), {}, { dryRun: true });
    expect(byStatus(outcomes)).to.deep.equal({ updated: 5, created: 3 });
    expect(outcomes.every((o) => o.dryRun)).to.equal(true);
    expect(outcomes.find((o) => o.status === 'created')?.document?.data).to.deep.include({ type: 'customers' });
    expect(h.oro.records('customers')).to.deep.equal(before);
    expect(h.oro.requests.filter((r) => r.method !== 'GET' && r.path !== '/oauth2-token')).to.have.length(0);
  });
});
