import { expect } from 'chai';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/util/retry-after.js';

describe('oro/parseRetryAfter', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('0', now)).to.equal(0);
    expect(parseRetryAfter('120', now)).to.equal(120_000);
    expect(parseRetryAfter(' 5 ', now)).to.equal(5_000);
  });

  it('reads an HTTP date as the time until then', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 12:00:30 GMT', now)).to.equal(30_000);
    expect(parseRetryAfter(new Date(now + 3_000).toUTCString(), now)).to.equal(3_000);
  });

  it('treats a date in the past as no wait', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 11:00:00 GMT', now)).to.equal(0);
  });

  it('ignores absent, negative, fractional and garbage values', () => {
    for (const header of [null, undefined, '', '-5', '1.5', '+3', 'soon', 'Thu, 99 Foo 2025']) {
      expect(parseRetryAfter(header, now), String(header)).to.equal(undefined);
    }
  });

  it('caps huge values', () => {
    expect(parseRetryAfter('999999999', now)).to.equal(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Fri, 01 Jan 2100 00:00:00 GMT', now)).to.equal(MAX_RETRY_AFTER_MS);
  });
});
