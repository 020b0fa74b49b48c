import { expect } from 'chai';
import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { toOro } from '../../src/sink/to-oro.js';
import { mapRecords } from '../../src/operators/map.js';
import { batchRecords } from '../../src/operators/batch.js';
import { createMemoryIdCache, type IdCache } from '../../src/sink/id-cache.js';
import type { KeyClaim, KeyClaims } from '../../src/types/key-claims.js';
import type { MappedRecord, Outcome } from '../../src/types/index.js';

const keyOf = (o: Outcome) => (o.record.value as MappedRecord).key;
import { startHarness, type OroHarness } from '../helpers/oro-harness.js';

/**
 * Claims shared by several sinks, as the PostgreSQL advisory locks are shared by workers: free
 * keys are granted at once; with none free, a claim waits for the first key.
 */
function memoryClaims(log: string[] = []) {
  const held = new Map<string, Promise<void>>();
  const claims: KeyClaims & { hold(key: string): () => void } = {
    hold(key) {
      let free!: () => void;
      held.set(key, new Promise<void>((r) => (free = r)).then(() => void held.delete(key)));
      return free;
    },
    async claim(keys) {
      const wanted = [...new Set(keys)].sort();
      let granted = wanted.filter((k) => !held.has(k));
      while (granted.length === 0) {
        await held.get(wanted[0]!);
        granted = wanted.filter((k) => !held.has(k));
      }
      const frees = granted.map((k) => claims.hold(k));
      log.push(`claim ${granted.join(',')}`);
      const claim: KeyClaim = {
        granted: new Set(granted),
        release: async () => {
          log.push(`release ${granted.join(',')}`);
          frees.forEach((f) => f());
        },
      };
      return claim;
    },
  };
  return claims;
}

const target = { type: 'customers', mode: 'single', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' } as const;

describe('sink/toOro with claims shared by several workers', function () {
  this.timeout(10_000);
  let h: OroHarness;
  beforeEach(async () => {
    // Writes take a while: two workers' writes of one key overlap.
    h = await startHarness({ seed: 1, latency: { min: 30, max: 30 } });
  });
  afterEach(async () => h.close());

  const records = (names: readonly [string, string][], seq = 0) =>
    names.map(([id, name], i) => ({ value: { id, name }, position: { seq: seq + i, where: `#${seq + i}` } }));

  /** One worker's sink over `input`, with these shared parts. */
  const worker = (input: ReturnType<typeof records>, shared: { claims?: KeyClaims; ids: IdCache }, onOutcome: (o: Outcome) => void = () => undefined) =>
    lastValueFrom(
      from(input).pipe(
        mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } }),
        batchRecords({ size: 10, ms: 1 }),
        toOro({ client: h.client, target, ids: shared.ids, ...(shared.claims ? { claims: shared.claims } : {}) }),
        tap(onOutcome),
        toArray(),
      ),
    );

  const stored = () => h.oro.records('customers').map((r) => `${String(r.attributes?.['externalId'])}=${String(r.attributes?.['name'])}`);

  it('two workers writing one key at once: one creates it, the other waits and updates it (without claims: created a second time)', async () => {
    const twice = async (key: string, claims: KeyClaims | undefined) => {
      const ids = createMemoryIdCache();
      const [a, b] = await Promise.all([worker(records([[key, 'first']]), { claims, ids }), worker(records([[key, 'second']]), { claims, ids })]);
      return [...a, ...b].map((o) => o.status).sort();
    };
    // Both looked C1 up before either had created it, and both created it: Oro's validator refused
    // the second as a duplicate here; on a real Oro two concurrent creates can both pass it.
    expect(await twice('C1', undefined), 'without claims').to.deep.equal(['created', 'rejected']);
    expect(await twice('C2', memoryClaims())).to.deep.equal(['created', 'updated']);
    const c2 = stored().filter((s) => s.startsWith('C2='));
    expect(c2).to.have.length(1);
  });

  it('a key another worker holds does not hold up the rest of the batch; its claim is released after its outcome', async () => {
    const log: string[] = [];
    const claims = memoryClaims(log);
    const freeB = claims.hold('B');
    const outcomes = worker(records([['A', 'a'], ['B', 'b'], ['C', 'c']]), { claims, ids: createMemoryIdCache() }, (o) => {
      const key = keyOf(o);
      log.push(`${o.status} ${key}`);
      if (key === 'C') freeB();
    });
    const statuses = (await outcomes).map((o) => `${o.status} ${keyOf(o)}`);
    expect(statuses).to.have.members(['created A', 'created B', 'created C']);
    // A and C written while B was busy elsewhere; B claimed once free, and released after its outcome.
    expect(log.indexOf('claim A,C')).to.equal(0);
    expect(log.indexOf('created C')).to.be.below(log.indexOf('claim B'));
    expect(log.indexOf('created B')).to.be.below(log.indexOf('release B'));
    expect(log.indexOf('created A')).to.be.below(log.indexOf('release A,C'));
  });

  it('a later batch of this worker with a key already written is not held up by the busy key of the earlier batch', async () => {
    const claims = memoryClaims();
    const freeB = claims.hold('B');
    const seen: string[] = [];
    const input = [...records([['A', 'one'], ['B', 'b']]), ...records([['A', 'two']], 2)];
    const outcomes = await lastValueFrom(
      from(input).pipe(
        mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } }),
        batchRecords({ size: 2, ms: 1 }),
        toOro({ client: h.client, target, ids: createMemoryIdCache(), claims }),
        tap((o) => {
          seen.push(`${o.status} ${keyOf(o)}`);
          // B stays busy elsewhere until A's second version is written: that write must not wait for B.
          if (seen.length === 2) freeB();
        }),
        toArray(),
      ),
    );
    expect(outcomes).to.have.length(3);
    expect(seen.slice(0, 2)).to.deep.equal(['created A', 'updated A']);
    expect(stored()).to.have.members(['A=two', 'B=b']);
  });

  it('a claim is released only once the id its write learnt is stored (the next worker finds it)', async () => {
    const log: string[] = [];
    const claims = memoryClaims(log);
    const memory = createMemoryIdCache();
    let stored!: () => void;
    const slowStore: IdCache = {
      get: (keys) => memory.get(keys),
      put(entries) {
        void memory.put(entries);
        log.push('put');
        return new Promise<void>((resolve) => (stored = () => (log.push('stored'), resolve())));
      },
      forget: (key) => memory.forget(key),
    };
    const done = worker(records([['A', 'a']]), { claims, ids: slowStore }, () => {
      log.push('outcome');
      // The store answers a few turns after the outcome.
      setImmediate(() => setImmediate(() => stored()));
    });
    await done;
    expect(log).to.deep.equal(['claim A', 'put', 'outcome', 'stored', 'release A']);
  });

  it('claims that cannot be had fail their records (the queue redelivers them): none is written unlocked', async () => {
    const claims: KeyClaims = { claim: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) };
    const outcomes = await worker(records([['A', 'a'], ['B', 'b']]), { claims, ids: createMemoryIdCache() });
    expect(outcomes.map((o) => o.status)).to.deep.equal(['failed', 'failed']);
    expect(outcomes[0]!.status === 'failed' && outcomes[0]!.errors[0]?.title).to.equal('key lock unavailable');
    expect(outcomes[0]!.status === 'failed' && outcomes[0]!.errors[0]?.detail).to.contain('ECONNREFUSED');
    expect(stored()).to.deep.equal([]);
  });
});
