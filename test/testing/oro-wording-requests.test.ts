/**
 * The fake answers requests as Oro 7.0 does, word for word (issue 24): the token endpoint, OPTIONS,
 * media types and request documents. Each expectation is taken from Oro's own functional tests or
 * code (docs/fake-oro.md, "Which Oro it follows").
 */
import { expect } from 'chai';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { call, JSON_API, tokenOf, type Answer } from './support.js';

const INVALID_CLIENT = '{"error":"invalid_client","error_description":"Client authentication failed","message":"Client authentication failed"}';

describe('fake Oro answers as Oro 7.0: token endpoint', () => {
  let oro: FakeOro;
  before(async () => {
    oro = await startFakeOro();
  });
  after(() => oro.close());

  const token = (body: string) => fetch(oro.tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });

  it('answers empty client credentials 401 with exactly the invalid_client body, as application/json', async () => {
    const res = await token('grant_type=client_credentials&client_id=&client_secret=');
    expect(res.status).to.equal(401);
    expect(res.headers.get('content-type')).to.equal('application/json');
    expect(await res.text()).to.equal(INVALID_CLIENT);
  });

  it('answers a grant the client credentials application may not use 401 with the same body', async () => {
    const res = await token(`grant_type=password&client_id=${oro.clientId}&client_secret=${oro.clientSecret}&username=a&password=b`);
    expect(res.status).to.equal(401);
    expect(res.headers.get('content-type')).to.equal('application/json');
    expect(await res.text()).to.equal(INVALID_CLIENT);
  });

  it('answers a missing client_id 400 invalid_request with the hint before the message, as application/json', async () => {
    const res = await token('grant_type=client_credentials');
    expect(res.status).to.equal(400);
    expect(res.headers.get('content-type')).to.equal('application/json');
    const description = 'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.';
    expect(await res.text()).to.equal(JSON.stringify({ error: 'invalid_request', error_description: description, hint: 'Check the `client_id` parameter', message: description }));
  });

  it('keeps application/json; charset=UTF-8 on a granted token', async () => {
    const res = await token(`grant_type=client_credentials&client_id=${oro.clientId}&client_secret=${oro.clientSecret}`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/json; charset=UTF-8');
  });
});

describe('fake Oro answers as Oro 7.0: OPTIONS', () => {
  let oro: FakeOro;
  before(async () => {
    oro = await startFakeOro();
  });
  after(() => oro.close());

  it('lists the methods of a collection in the order OPTIONS, GET, PATCH, POST, DELETE', async () => {
    const res = await call(oro, undefined, 'OPTIONS', '/customers');
    expect(res.status).to.equal(200);
    expect(res.headers.get('allow')).to.equal('OPTIONS, GET, PATCH, POST, DELETE');
    expect((await call(oro, undefined, 'OPTIONS', '/customers/1')).headers.get('allow')).to.equal('OPTIONS, GET, PATCH, DELETE');
  });
});

describe('fake Oro answers as Oro 7.0: media types', () => {
  let oro: FakeOro;
  let token: string;
  before(async () => {
    oro = await startFakeOro();
    token = await tokenOf(oro);
  });
  after(() => oro.close());

  const create = (headers: Record<string, string>) => call(oro, token, 'POST', '/customergroups', { body: { data: { type: 'customergroups', attributes: { name: 'G' } } }, headers });
  const errorOf = (res: Answer) => ({ status: res.status, error: res.body.errors[0] });

  it('refuses an Accept whose JSON:API media type has a parameter with 406', async () => {
    const res = await call(oro, token, 'GET', '/customers', { headers: { Accept: `${JSON_API}; ext=bulk` } });
    expect(errorOf(res)).to.deep.equal({
      status: 406,
      error: { status: '406', title: 'not acceptable http exception', detail: 'The "Accept" request header should contains at least one instance of JSON:API media type without any parameters.' },
    });
  });

  it('refuses a Content-Type whose JSON:API media type has a parameter with 415', async () => {
    const res = await create({ 'Content-Type': `${JSON_API}; charset=utf-8` });
    expect(errorOf(res)).to.deep.equal({
      status: 415,
      error: { status: '415', title: 'unsupported media type http exception', detail: 'The "Content-Type" request header should contain JSON:API media type without any parameters.' },
    });
  });

  it('refuses a JSON:API body sent with Accept: text/plain with 406', async () => {
    const res = await create({ Accept: 'text/plain' });
    expect(errorOf(res)).to.deep.equal({ status: 406, error: { status: '406', title: 'not acceptable http exception', detail: 'The "Accept" request header does not accept JSON:API content type.' } });
  });

  it('accepts a JSON:API body sent with Accept: application/json (201)', async () => {
    const res = await create({ Accept: 'application/json' });
    expect(res.status).to.equal(201);
    expect(res.body.data.attributes.name).to.equal('G');
  });

  it('refuses Accept: application/xml without JSON:API with 406 "Only JSON representation"', async () => {
    const res = await call(oro, token, 'GET', '/customers', { headers: { Accept: 'application/xml' } });
    expect(errorOf(res)).to.deep.equal({ status: 406, error: { status: '406', title: 'not acceptable http exception', detail: 'Only JSON representation of the requested resource is supported.' } });
  });
});

describe('fake Oro answers as Oro 7.0: request documents', () => {
  let oro: FakeOro;
  let token: string;
  before(async () => {
    oro = await startFakeOro();
    token = await tokenOf(oro);
  });
  after(() => oro.close());

  const post = (raw: string) => call(oro, token, 'POST', '/customers', { raw });

  // The bodies and details of Oro's RestJsonApi/InvalidRequestDataTest.
  for (const [raw, detail] of [
    ['{"data": {"type": test"}}', "Invalid json message received. Parsing error in [1:22]. Expected 'null'. Got: test."],
    ['{"data": ▿{"type": test"}}', 'Invalid json message received. Parsing error in [1:10]. Unexpected character for value: ?.'],
    ['{"data": {"type": "test", "attributes": {"name": "some name",}}}', 'Invalid json message received.'],
    ['{\n  "data": {\n    "type": "customers"\n    "attributes": {}}}', "Invalid json message received. Parsing error in [4:5]. Expected ',' or '}' while parsing object. Got: \"."],
  ] as const)
    it(`answers invalid JSON with the line, column and reason of Oro's parser: ${JSON.stringify(raw)}`, async () => {
      const res = await post(raw);
      expect(res.status).to.equal(400);
      expect(res.body.errors).to.deep.equal([{ status: '400', title: 'bad request http exception', detail }]);
    });

  it("answers an id in the body that is not the URL's with 409 at /data/id", async () => {
    const customer = oro.seed('customers', { name: 'A' });
    const res = await call(oro, token, 'PATCH', `/customers/${customer.id}`, { body: { data: { type: 'customers', id: '999', attributes: { name: 'B' } } } });
    expect(res.status).to.equal(409);
    expect(res.body.errors).to.deep.equal([
      { status: '409', title: 'conflict constraint', detail: "The 'id' property of the primary data object should match 'id' parameter of the query string", source: { pointer: '/data/id' } },
    ]);
  });

  it('answers empty attributes with 400 "request data constraint" at /data/attributes', async () => {
    const res = await call(oro, token, 'POST', '/customers', { body: { data: { type: 'customers', attributes: {} } } });
    expect(res.status).to.equal(400);
    expect(res.body.errors).to.deep.equal([{ status: '400', title: 'request data constraint', detail: "The 'attributes' property should not be empty", source: { pointer: '/data/attributes' } }]);
  });

  it('answers a type that is not the URL\'s with 409 at /data/type and a missing data section with 400 at /data', async () => {
    const type = await call(oro, token, 'POST', '/customers', { body: { data: { type: 'customergroups', attributes: { name: 'G' } } } });
    expect(type.status).to.equal(409);
    expect(type.body.errors).to.deep.equal([
      { status: '409', title: 'conflict constraint', detail: "The 'type' property of the primary data object should match the requested resource", source: { pointer: '/data/type' } },
    ]);
    const none = await call(oro, token, 'POST', '/customers', { body: { meta: {} } });
    expect(none.body.errors).to.deep.equal([{ status: '400', title: 'request data constraint', detail: 'The primary data object should exist', source: { pointer: '/data' } }]);
  });
});
