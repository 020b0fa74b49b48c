import { expect } from 'chai';
import { onOwnOrigin } from '../../src/oro/own-origin.js';

const base = new URL('https://shop.example.com/admin/api');
const moved = (raw: string, on: URL = base) => onOwnOrigin(new URL(raw), on);

describe('oro/onOwnOrigin', () => {
  it('leaves a URL on the base origin as it is', () => {
    const url = new URL('https://shop.example.com/admin/api/customers?page%5Bnumber%5D=2');
    expect(onOwnOrigin(url, base)).to.deep.equal({ url, moved: false });
  });

  it('moves http:// from a TLS-terminating proxy onto https://, path and query kept', () => {
    const { url, moved: wasMoved } = moved('http://shop.example.com/admin/api/customers?page%5Bnumber%5D=2');
    expect(url.toString()).to.equal('https://shop.example.com/admin/api/customers?page%5Bnumber%5D=2');
    expect(wasMoved).to.equal(true);
  });

  it('moves an internal host name onto the base origin, port included', () => {
    const on = new URL('https://shop.example.com:8443/admin/api');
    expect(moved('http://oro-app-1.internal:8080/admin/api/asyncoperations/5', on).url.toString())
      .to.equal('https://shop.example.com:8443/admin/api/asyncoperations/5');
  });

  it('puts back the path prefix a proxy strips', () => {
    const on = new URL('https://www.example.com/shop/admin/api');
    expect(moved('http://oro.internal/admin/api/asyncoperations/5', on).url.toString())
      .to.equal('https://www.example.com/shop/admin/api/asyncoperations/5');
  });

  it('keeps a path that shares nothing with the base path', () => {
    expect(moved('http://oro.internal/other/thing?x=1').url.toString()).to.equal('https://shop.example.com/other/thing?x=1');
  });
});
