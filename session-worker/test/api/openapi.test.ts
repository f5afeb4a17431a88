import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RouteExtension } from '../../src/api/app.js';
import { WORKER_API_PATHS } from '../../../web/src/backend-standin/worker-api.js';
import { API_ERRORS } from '../../src/api/errors.js';
import { startTestService, type TestService } from './support/service.js';

let worker: TestService;

/** A route another layer adds through the service's extensions. */
const extensionRoute: RouteExtension = (api) =>
  api.register({
    method: 'get',
    path: '/api/extension-example/{tenantId}',
    operationId: 'extensionExampleForTest',
    summary: 'A route of an extension',
    tags: ['example'],
    access: 'tenant',
    params: z.object({ tenantId: z.string() }),
    responses: { 200: { description: 'ok', schema: z.object({ ok: z.boolean() }) } },
    handler: async ({ c }) => c.json({ ok: true }),
  });

beforeAll(async () => {
  worker = await startTestService(null, { extensions: { routes: [extensionRoute] } });
});

afterAll(async () => {
  await worker?.close();
});

type Operation = {
  operationId: string;
  security: unknown[];
  parameters?: { name: string; in: string; required: boolean }[];
  responses: Record<string, unknown>;
  'x-access': string;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { responses: { Error: { content: Record<string, { schema: unknown }> } } };
};

const served = async () => (await worker.admin.get<Document>('/openapi.json', { key: null })).body;

describe('the OpenAPI document', () => {
  it('lists exactly the routes the server answers', async () => {
    const document = await served();
    const documented = Object.entries(document.paths)
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();
    const answered = worker.service.api.app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method} ${route.path}`)
      .sort();
    expect(documented).toEqual(answered);
    expect(answered).toContain('GET /api/baileys/sessions');
    expect(answered).toContain('POST /api/baileys/sessions/:tenantId/messages/text');
    expect(answered).toContain('POST /api/tunnel/tokens');
    expect(answered).toContain('GET /api/tunnel/stats/:tenantId');
  });

  it(
    'serves every route the restaurant backend ' + 'stand-in calls, at the paths it calls',
    async () => {
      const document = await served();
      const calls: Record<keyof typeof WORKER_API_PATHS, string> = {
        tokens: 'post',
        session: 'get',
        start: 'post',
        qrPng: 'get',
        pairingCode: 'post',
      };
      for (const [name, method] of Object.entries(calls)) {
        const path = WORKER_API_PATHS[name as keyof typeof WORKER_API_PATHS].replace(
          ':tenant',
          '{tenantId}',
        );
        expect([name, Object.keys(document.paths[path] ?? {})]).toEqual([
          name,
          expect.arrayContaining([method]),
        ]);
      }
    },
  );

  it('is OpenAPI 3.1 with a unique operation id per route', async () => {
    const document = await served();
    expect(document.openapi).toBe('3.1.0');
    const ids = Object.values(document.paths).flatMap((m) =>
      Object.values(m).map((o) => o.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares every path parameter and marks public routes as needing no key', async () => {
    const document = await served();
    for (const [path, methods] of Object.entries(document.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const operation of Object.values(methods)) {
        const declared = (operation.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name);
        expect([operation.operationId, declared.sort()]).toEqual([
          operation.operationId,
          names.sort(),
        ]);
        const isPublic = operation['x-access'] === 'public';
        expect([operation.operationId, operation.security.length === 0]).toEqual([
          operation.operationId,
          isPublic,
        ]);
      }
    }
  });

  it("lists every error code of the API's catalogue", async () => {
    const document = await served();
    const schema = document.components.responses.Error.content['application/json']!.schema as {
      properties: { error: { properties: { code: { enum: string[] } } } };
    };
    const codes = schema.properties.error.properties.code.enum;
    for (const code of Object.keys(API_ERRORS)) expect(codes).toContain(code);
    expect(codes).toContain('session_not_connected');
    expect(codes).toContain('host_not_allowed');
  });

  it(
    'documents a route an extension registers, ' + 'and serves it with the same key checks',
    async () => {
      const document = await served();
      const operation = document.paths['/api/extension-example/{tenantId}']?.['get'];
      expect(operation?.operationId).toBe('extensionExampleForTest');
      expect(operation?.['x-access']).toBe('tenant');
      expect((await worker.admin.get('/api/extension-example/t1')).body).toEqual({ ok: true });
      expect((await worker.admin.get('/api/extension-example/t1', { key: null })).status).toBe(401);
    },
  );
});
