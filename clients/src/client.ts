// A typed client for party-registry: openapi-fetch over the types that
// openapi-typescript generates from openapi/openapi.json (src/schema.d.ts).
import createClient, { type Middleware } from 'openapi-fetch';

import type { components, paths } from './schema.js';

export type Problem = components['schemas']['Problem'];
export type Organisation = components['schemas']['Organisation'];
export type NewOrganisation = components['schemas']['NewOrganisation'];

/** A client for `baseUrl`; `token()` is sent as the Bearer token when it is set. */
export function registryClient(baseUrl: string, token: () => string | undefined) {
  const client = createClient<paths>({ baseUrl });
  const bearer: Middleware = {
    onRequest({ request }) {
      const current = token();
      if (current) {
        request.headers.set('Authorization', `Bearer ${current}`);
      }
      return request;
    },
  };
  client.use(bearer);
  return client;
}
