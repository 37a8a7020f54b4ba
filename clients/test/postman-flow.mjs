// Runs the committed Postman collection (openapi/postman_collection.json)
// with newman against a running server, on the main flows: token, create,
// read, update with If-Match (and a stale one), list, report. The requests
// are the collection's own; this script only orders them, fills in bodies
// and path variables, and adds the checks (what an integrator clicks by hand).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const newman = require('newman');

const collectionPath = new URL('../../openapi/postman_collection.json', import.meta.url);
const collection = JSON.parse(readFileSync(collectionPath, 'utf8'));
const baseUrl = process.env.REGISTRY_URL ?? 'http://127.0.0.1:8080';
const password = process.env.ADMIN_PASSWORD ?? 'change-me-now';
const run = Date.now().toString(36).toUpperCase();

function find(method, path) {
  for (const folder of collection.item) {
    for (const item of folder.item ?? []) {
      const { request } = item;
      if (request.method === method && request.url.path.join('/') === path) {
        return structuredClone(item);
      }
    }
  }
  throw new Error(`the collection has no ${method} /${path}`);
}

function step(method, path, { name, body, vars = {}, query = {}, headers = {}, tests }) {
  const item = find(method, path);
  item.name = name;
  const { request } = item;
  if (body !== undefined) request.body.raw = JSON.stringify(body);
  for (const variable of request.url.variable ?? []) {
    if (variable.key in vars) variable.value = vars[variable.key];
  }
  for (const param of request.url.query ?? []) {
    param.disabled = !(param.key in query);
    if (param.key in query) param.value = query[param.key];
  }
  for (const header of request.header ?? []) {
    if (header.key in headers) {
      header.disabled = false;
      header.value = headers[header.key];
    }
  }
  item.event = [{ listen: 'test', script: { exec: tests.split('\n') } }];
  return item;
}

const flow = [
  step('POST', 'api/v1/auth/token', {
    name: 'token',
    body: { username: 'admin', password: '{{adminPassword}}' },
    tests: `pm.test('200 with a bearer token', () => {
  pm.response.to.have.status(200);
  const body = pm.response.json();
  pm.expect(body.token_type).to.eql('Bearer');
  pm.collectionVariables.set('bearerToken', body.access_token);
});`,
  }),
  step('POST', 'api/v1/organisations', {
    name: 'create',
    body: { code: `PM-${run}`, name: 'Đảng bộ tỉnh Điện Biên', kind: 'provincial_committee' },
    tests: `pm.test('201 with Location and ETag', () => {
  pm.response.to.have.status(201);
  pm.expect(pm.response.headers.get('Location')).to.include('/api/v1/organisations/');
  pm.expect(pm.response.headers.get('ETag')).to.eql('"1"');
  pm.collectionVariables.set('organisationId', pm.response.json().id);
});`,
  }),
  step('GET', 'api/v1/organisations/:id', {
    name: 'read',
    vars: { id: '{{organisationId}}' },
    tests: `pm.test('200 with the version as ETag', () => {
  pm.response.to.have.status(200);
  pm.expect(pm.response.json().code).to.eql('PM-${run}');
  pm.collectionVariables.set('etag', pm.response.headers.get('ETag'));
});`,
  }),
  step('PATCH', 'api/v1/organisations/:id', {
    name: 'update with If-Match',
    vars: { id: '{{organisationId}}' },
    headers: { 'If-Match': '{{etag}}' },
    body: { name: 'Đảng bộ tỉnh Điện Biên (đổi tên)' },
    tests: `pm.test('200 and version 2', () => {
  pm.response.to.have.status(200);
  pm.expect(pm.response.json().version).to.eql(2);
  pm.expect(pm.response.headers.get('ETag')).to.eql('"2"');
});`,
  }),
  step('PATCH', 'api/v1/organisations/:id', {
    name: 'update with a stale If-Match',
    vars: { id: '{{organisationId}}' },
    headers: { 'If-Match': '{{etag}}', 'Accept-Language': 'vi' },
    body: { name: 'Không được đổi' },
    tests: `pm.test('412 problem, in Vietnamese', () => {
  pm.response.to.have.status(412);
  pm.expect(pm.response.headers.get('Content-Type')).to.include('application/problem+json');
  const problem = pm.response.json();
  pm.expect(problem.code).to.eql('precondition_failed');
  pm.expect(problem.title).to.eql('Điều kiện If-Match không thỏa mãn');
});`,
  }),
  step('GET', 'api/v1/organisations', {
    name: 'list',
    query: { limit: '1', count: 'true' },
    tests: `pm.test('200, one item, a next page and its Link', () => {
  pm.response.to.have.status(200);
  const page = pm.response.json();
  pm.expect(page.items).to.have.lengthOf(1);
  pm.expect(page.total).to.be.above(1);
  pm.expect(page.next_cursor).to.be.a('string');
  pm.expect(pm.response.headers.get('Link')).to.include('rel="next"');
});`,
  }),
  step('GET', 'api/v1/reports/annual', {
    name: 'report',
    query: { year: '2016', organisation_id: '{{organisationId}}' },
    tests: `pm.test('200 with the year and its figures', () => {
  pm.response.to.have.status(200);
  const report = pm.response.json();
  pm.expect(report.year).to.eql(2016);
  pm.expect(report.organisation_id).to.eql(pm.collectionVariables.get('organisationId'));
  pm.expect(report.members.total).to.eql(0);
});`,
  }),
];

const flowCollection = {
  info: { ...collection.info, name: `${collection.info.name} — main flows` },
  item: flow,
  variable: [
    { key: 'baseUrl', value: baseUrl },
    { key: 'adminPassword', value: password },
    { key: 'bearerToken', value: '' },
  ],
};

newman.run({ collection: flowCollection, reporters: ['cli'] }, (error, summary) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
  const { failures } = summary.run;
  const assertions = summary.run.stats.assertions;
  console.log(`${assertions.total - assertions.failed} passed, ${assertions.failed} failed`);
  process.exit(failures.length === 0 && assertions.total > 0 ? 0 : 1);
});
