import { expect } from 'chai';
import { from, lastValueFrom, toArray } from 'rxjs';
import { createTokenStream } from '../../src/auth/token-stream.js';
import { createOroClient } from '../../src/oro/client.js';
import { batchRecords } from '../../src/operators/batch.js';
import { mapRecords } from '../../src/operators/map.js';
import { toOro } from '../../src/sink/to-oro.js';
import type { Outcome } from '../../src/types/outcome.js';
import { createHttp } from '../../src/util/http.js';
import { instantScheduler } from '../helpers/instant-scheduler.js';
import { JSON_API, startScriptedOro, type ScriptedOro } from '../helpers/scripted-oro.js';
import { send } from '../helpers/scripted-server.js';

/**
 * A sync batch refused with a pointer that names no record of the request (an index past the
 * records sent) used to send the same records again and again: none was set aside, so every
 * retry was the same request and got the same answer. Such an answer now ends the records with it.
 */
describe('regression: a sync batch refusal that names no record sent is not resent forever', () => {
  let oro: ScriptedOro;
  afterEach(() => oro.close());

  it('rejects every record with Oro\'s errors after one PATCH', async () => {
    oro = await startScriptedOro();
    let patches = 0;
    oro.api = (req, res) => {
      if (req.method === 'GET') return send(res, 200, { data: [] }, { 'content-type': JSON_API });
      patches += 1;
      if (patches > 3) return send(res, 500); // bounds the old loop, so that the test ends
      return send(res, 400, { errors: [{ status: '400', title: 'not blank constraint', detail: 'This value should not be blank.', source: { pointer: '/data/5/attributes/name' } }] }, { 'content-type': JSON_API });
    };
    const http = createHttp({ concurrency: 2, timeoutMs: 5_000 });
    const tokens = createTokenStream({ tokenUrl: oro.tokenUrl, clientId: 'client', clientSecret: 'secret', fetch: http.fetch });
    const client = createOroClient({ baseUrl: oro.baseUrl, tokens, http });
    try {
      const records = ['A', 'B'].map((id, seq) => ({ value: { id, name: id }, position: { seq, where: `#${seq}` } }));
      const outcomes: Outcome[] = await lastValueFrom(from(records).pipe(
        mapRecords({ type: 'customers', key: { source: 'id', oro: 'externalId' }, attributes: { name: 'name', externalId: 'id' } }),
        batchRecords({ size: 10, ms: 5 }),
        toOro({
          client,
          target: { type: 'customers', mode: 'batch-sync', strategy: 'lookup', key: { oro: 'externalId' }, conflict: 'source-wins' },
          retry: { retries: 0 },
          scheduler: instantScheduler(),
        }),
        toArray(),
      ));
      expect(patches).to.equal(1);
      expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'rejected']);
      const first = outcomes[0];
      expect(first?.status === 'rejected' ? first.errors[0]?.title : undefined).to.equal('not blank constraint');
    } finally {
      client.close();
      tokens.shutdown();
      http.close();
    }
  });
});
