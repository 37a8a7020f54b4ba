// Generates openapi/postman_collection.json from openapi/openapi.json with
// openapi-to-postmanv2, made deterministic (the converter draws random ids)
// so CI can fail when the committed collection is not the spec's.
//
//   node scripts/postman.mjs [output]   (default: ../openapi/postman_collection.json)
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The converter fills values the spec gives no example for at random
// (json-schema-faker): a seeded generator makes every run write the same file.
let seed = 0x5eed;
Math.random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

// Faked date-times are drawn around "now": a fixed clock keeps them stable.
const RealDate = Date;
const fixedNow = RealDate.parse('2026-01-01T00:00:00Z');
globalThis.Date = class extends RealDate {
  constructor(...args) {
    super(...(args.length ? args : [fixedNow]));
  }

  static now() {
    return fixedNow;
  }
};

const require = createRequire(import.meta.url);
const Converter = require('openapi-to-postmanv2');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const spec = readFileSync(resolve(root, 'openapi/openapi.json'), 'utf8');
const output = process.argv[2] ?? resolve(root, 'openapi/postman_collection.json');

const options = {
  folderStrategy: 'Tags',
  requestNameSource: 'Fallback',
  // Bodies, parameters and saved responses from the spec's examples.
  requestParametersResolution: 'Example',
  exampleParametersResolution: 'Example',
  // Optional query parameters and headers (cursor, sort, Accept-Language, …)
  // come disabled: a request runs as is, and one ticks what it needs.
  enableOptionalParameters: false,
  includeAuthInfoInExample: false,
};

Converter.convert({ type: 'string', data: spec }, options, (error, result) => {
  if (error || !result.result) {
    console.error('conversion failed:', error ?? result.reason);
    process.exit(1);
  }
  const collection = result.output[0].data;
  // Stable ids: a hash of each item's position and name instead of random UUIDs.
  const stable = (node, trail) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => stable(child, `${trail}/${i}`));
    } else if (node && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        if (key === 'id' || key === '_postman_id') {
          const digest = createHash('sha256').update(`${trail}/${node.name ?? ''}`).digest('hex');
          node[key] = [digest.slice(0, 8), digest.slice(8, 12), `4${digest.slice(13, 16)}`,
            `8${digest.slice(17, 20)}`, digest.slice(20, 32)].join('-');
        } else {
          stable(node[key], `${trail}/${key}`);
        }
      }
    }
  };
  stable(collection, '');
  // The spec's server is "/" (relative to where it is served); Postman needs a host.
  collection.variable = [{ key: 'baseUrl', value: 'http://127.0.0.1:8080' }];
  writeFileSync(output, `${JSON.stringify(collection, null, 2)}\n`);
  console.log(`wrote ${output}`);
});
