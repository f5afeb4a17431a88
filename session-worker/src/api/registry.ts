import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { authorize, type Access, type Authenticator, type Principal } from './auth.js';
import { ApiError } from './errors.js';
import { readBody, type ParsedBody } from './body.js';
import { parseWith } from './validate.js';

export type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** `application/json` unless named (`image/png`, `text/event-stream`, ...). */
  readonly contentType?: string;
}

export interface MultipartSpec {
  /** The text fields, validated like a JSON body. */
  readonly fields: z.ZodType;
  /** Name of the file field. */
  readonly file: string;
}

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  readonly method: Method;
  /** OpenAPI form: `/api/baileys/sessions/{tenantId}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly access: Access;
  readonly params?: P;
  readonly query?: Q;
  /** A JSON body. */
  readonly body?: B;
  /** Also takes `multipart/form-data` with one file. */
  readonly multipart?: MultipartSpec;
  /** Request headers the route reads, documented as parameters. */
  readonly headers?: readonly { name: string; description: string; required?: boolean }[];
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  readonly handler: (input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<Response>;
}

export interface RouteInput<P, Q, B> {
  readonly c: Context;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The file of a multipart request, if any. */
  readonly file: Buffer | undefined;
  readonly principal: Principal;
  readonly log: Logger;
}

export interface RegistryOptions {
  readonly app: Hono;
  readonly auth: Authenticator;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
}

/**
 * Every route of the API is declared here once: method, path, access,
 * schemas and answers. Registering one wires it into Hono (key check,
 * parameter and body validation naming the bad field) and into the OpenAPI
 * document, so the two cannot drift apart. Other layers (the tunnel) add
 * their routes the same way.
 */
export class RouteRegistry {
  readonly #routes: RouteSpec[] = [];

  constructor(private readonly options: RegistryOptions) {}

  get routes(): readonly RouteSpec[] {
    return this.#routes;
  }

  register<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
    spec: RouteSpec<P, Q, B>,
  ): void {
    const key = `${spec.method} ${spec.path}`;
    if (this.#routes.some((r) => `${r.method} ${r.path}` === key)) {
      throw new TypeError(`route ${key} is registered twice`);
    }
    if (this.#routes.some((r) => r.operationId === spec.operationId)) {
      throw new TypeError(`operationId ${spec.operationId} is used twice`);
    }
    this.#routes.push(spec as unknown as RouteSpec);
    const honoPath = spec.path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
    this.options.app.on(spec.method.toUpperCase(), honoPath, async (c) => {
      const rawParams = c.req.param() as Record<string, string>;
      const principal = await authorize(
        this.options.auth,
        spec.access,
        c.req.raw.headers,
        rawParams['tenantId'],
      );
      const params = spec.params ? parseWith(spec.params, rawParams, 'path') : ({} as never);
      const query = spec.query ? parseWith(spec.query, c.req.query(), 'query') : ({} as never);
      let body = {} as never;
      let file: Buffer | undefined;
      if (spec.body || spec.multipart) {
        const parsed: ParsedBody = await readBody(c, this.options.maxBodyBytes, !!spec.multipart);
        if (parsed.kind === 'multipart') {
          body = parseWith(spec.multipart!.fields, parsed.fields, 'body') as never;
          file = parsed.files[spec.multipart!.file];
        } else {
          if (!spec.body) throw new ApiError('unsupported_media_type', 'send multipart/form-data');
          body = parseWith(spec.body, parsed.value, 'body') as never;
        }
      }
      const log = (c.get('log' as never) as Logger | undefined) ?? this.options.logger;
      const tenant = (params as { tenantId?: string }).tenantId;
      return spec.handler({
        c,
        params,
        query,
        body,
        file,
        principal,
        log: tenant ? log.child({ tenant }) : log,
      });
    });
  }
}
