import { z } from 'zod';
import type { EventTypeSpec } from '../events/catalogue.js';
import type { RouteSpec } from './registry.js';

type Json = Record<string, unknown>;

export interface DocumentInfo {
  readonly title: string;
  readonly version: string;
  readonly description: string;
  readonly errorCodes: readonly string[];
  readonly eventTypes: readonly EventTypeSpec[];
}

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  delete json['$schema'];
  return json;
}

function parameters(spec: RouteSpec): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query', shape: z.ZodType | undefined) => {
    if (!shape) return;
    const json = schemaOf(shape, 'input');
    const properties = (json['properties'] ?? {}) as Record<string, Json>;
    const required = new Set((json['required'] ?? []) as string[]);
    for (const [name, schema] of Object.entries(properties)) {
      const { description, ...rest } = schema;
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  };
  add('path', spec.params);
  add('query', spec.query);
  for (const header of spec.headers ?? []) {
    out.push({
      name: header.name,
      in: 'header',
      required: header.required ?? false,
      description: header.description,
      schema: { type: 'string' },
    });
  }
  return out;
}

function requestBody(spec: RouteSpec): Json | undefined {
  const content: Json = {};
  if (spec.body) content['application/json'] = { schema: schemaOf(spec.body, 'input') };
  if (spec.multipart) {
    const fields = schemaOf(spec.multipart.fields, 'input');
    const properties = {
      ...((fields['properties'] ?? {}) as Json),
      [spec.multipart.file]: { type: 'string', format: 'binary' },
    };
    content['multipart/form-data'] = {
      schema: { ...fields, properties, required: [...((fields['required'] ?? []) as string[])] },
    };
  }
  return Object.keys(content).length > 0 ? { required: true, content } : undefined;
}

const ERROR_RESPONSE = { $ref: '#/components/responses/Error' };

/**
 * The OpenAPI 3.1 document, built from the registered routes themselves
 * (schemas through zod's JSON Schema output), so it lists exactly the
 * routes the server answers.
 */
export function buildOpenApi(routes: readonly RouteSpec[], info: DocumentInfo): Json {
  const paths: Record<string, Json> = {};
  for (const spec of routes) {
    const responses: Json = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      const type = response.contentType ?? 'application/json';
      responses[status] = {
        description: response.description,
        ...(response.schema || type !== 'application/json'
          ? {
              content: {
                [type]: {
                  schema: response.schema
                    ? schemaOf(response.schema, 'output')
                    : type.startsWith('text/')
                      ? { type: 'string' }
                      : { type: 'string', format: 'binary' },
                },
              },
            }
          : {}),
      };
    }
    responses['default'] = ERROR_RESPONSE;
    const body = requestBody(spec);
    const params = parameters(spec);
    paths[spec.path] = {
      ...(paths[spec.path] ?? {}),
      [spec.method]: {
        operationId: spec.operationId,
        summary: spec.summary,
        ...(spec.description ? { description: spec.description } : {}),
        tags: [...spec.tags],
        security:
          spec.access === 'public'
            ? []
            : [{ bearerKey: [] as string[] }, { headerKey: [] as string[] }],
        'x-access': spec.access,
        ...(params.length > 0 ? { parameters: params } : {}),
        ...(body ? { requestBody: body } : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    paths,
    components: {
      securitySchemes: {
        bearerKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'The admin API key, or a tenant API key (psk_...).',
        },
        headerKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
      responses: {
        Error: {
          description: 'An error, with its catalogue code.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['error'],
                properties: {
                  error: {
                    type: 'object',
                    required: ['code', 'message', 'context'],
                    properties: {
                      code: { type: 'string', enum: [...info.errorCodes] },
                      message: { type: 'string' },
                      context: { type: 'object' },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    'x-event-types': info.eventTypes.map((t) => ({ type: t.type, description: t.description })),
  };
}
