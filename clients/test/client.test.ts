// The generated TypeScript client against a running server (.ci/integrators
// starts it): log in, create, page through a list, read a typed problem.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  registryClient,
  type NewOrganisation,
  type Organisation,
  type Problem,
} from '../src/client.js';

const baseUrl = process.env.REGISTRY_URL ?? 'http://127.0.0.1:8080';
const password = process.env.ADMIN_PASSWORD ?? 'change-me-now';
const run = Date.now().toString(36).toUpperCase();

let token: string | undefined;
const api = registryClient(baseUrl, () => token);

test('logs in, creates organisations, pages through them and reads problems', async (t) => {
  await t.test('exchanges a password for a token', async () => {
    const { data, error } = await api.POST('/api/v1/auth/token', {
      body: { username: 'admin', password },
    });
    assert.equal(error, undefined);
    assert.equal(data?.token_type, 'Bearer');
    token = data?.access_token;
    assert.ok(token);
  });

  const created: Organisation[] = [];
  await t.test('creates a province and three districts under it', async () => {
    const province = await api.POST('/api/v1/organisations', {
      body: { code: `TS-${run}`, name: 'Đảng bộ tỉnh Điện Biên', kind: 'provincial_committee' },
    });
    assert.equal(province.response.status, 201);
    assert.ok(province.data);
    created.push(province.data);
    for (const n of [1, 2, 3]) {
      const body: NewOrganisation = {
        code: `TS-${run}-${n}`,
        name: `Đảng bộ huyện ${n}`,
        kind: 'district_committee',
        parent_id: province.data.id,
      };
      const district = await api.POST('/api/v1/organisations', { body });
      assert.equal(district.response.status, 201, JSON.stringify(district.error));
      assert.equal(district.response.headers.get('etag'), '"1"');
      assert.ok(district.data);
      created.push(district.data);
    }
  });

  await t.test('pages through the subtree two at a time, every row once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { data, error } = await api.GET('/api/v1/organisations', {
        params: {
          query: { ancestor_id: created[0]?.id, limit: 2, ...(cursor ? { cursor } : {}) },
        },
      });
      assert.equal(error, undefined);
      assert.ok(data);
      seen.push(...data.items.map((o) => o.id));
      cursor = data.next_cursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 10);
    assert.deepEqual([...seen].sort(), created.map((o) => o.id).sort());
    assert.equal(pages, 2);
  });

  await t.test('reads an error as a typed problem, in Vietnamese when asked', async () => {
    const { data, error, response } = await api.GET('/api/v1/organisations/{id}', {
      params: {
        path: { id: '0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c99' },
        header: { 'Accept-Language': 'vi' },
      },
    });
    assert.equal(data, undefined);
    assert.equal(response.status, 404);
    const problem: Problem | undefined = error;
    assert.equal(problem?.code, 'not_found');
    assert.equal(problem?.status, 404);
    assert.equal(problem?.title, 'Không tìm thấy');
    assert.equal(response.headers.get('content-language'), 'vi');
    assert.ok(problem?.request_id);
  });

  await t.test('lists the broken fields of a refused body', async () => {
    const { error, response } = await api.POST('/api/v1/organisations', {
      body: { code: 'has space', name: '', kind: 'provincial_committee' },
    });
    assert.equal(response.status, 400);
    assert.equal(error?.code, 'validation_failed');
    assert.deepEqual(error?.errors.map((e) => e.code).sort(), ['invalid_code', 'invalid_name']);
  });
});
