import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { followEvents } from '../../events/follow.js';
import { toWire } from '../../events/hub.js';
import { ApiError } from '../errors.js';
import type { RouteRegistry } from '../registry.js';
import { tenantId } from '../schemas.js';
import type { ApiServices } from '../services.js';

const TAG = ['events'];

/** The event stream (SSE) and the list of event types. */
export function registerEventRoutes(api: RouteRegistry, services: ApiServices): void {
  api.register({
    method: 'get',
    path: '/api/events',
    operationId: 'streamEvents',
    summary: 'Follow events (Server-Sent Events)',
    description:
      'Each event is sent with its id, its type as the SSE event name and the event as JSON ' +
      'data. Reconnect with `Last-Event-ID` (or `since`) to get what was missed while it is ' +
      'kept; an event named `gap` says when some of it was pruned. A tenant key sees its own ' +
      "tenant's events; the admin key sees every tenant's, or one with `tenantId`.",
    tags: TAG,
    access: 'any',
    query: z.object({
      tenantId: tenantId.optional(),
      types: z
        .string()
        .max(2_000)
        .optional()
        .describe('Comma-separated event types; all when absent.'),
      since: z.coerce.number().int().min(0).optional().describe('Resume after this event id.'),
    }),
    headers: [{ name: 'Last-Event-ID', description: 'Resume after this event id.' }],
    responses: { 200: { description: 'The stream.', contentType: 'text/event-stream' } },
    handler: async ({ c, query, principal, log }) => {
      let tenant = query.tenantId;
      if (principal.kind === 'tenant') {
        if (tenant !== undefined && tenant !== principal.tenant) {
          throw new ApiError('auth_wrong_tenant', undefined, { keyId: principal.keyId });
        }
        tenant = principal.tenant;
      }
      const types = query.types
        ?.split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '');
      for (const type of types ?? []) {
        if (!services.hub.catalogue.has(type)) {
          throw new ApiError('invalid_request', `query.types: unknown event type ${type}`, {
            field: 'query.types',
          });
        }
      }
      const header = c.req.header('last-event-id');
      let after: number | null = query.since ?? null;
      if (header !== undefined && header.trim() !== '') {
        if (!/^\d{1,15}$/.test(header.trim())) {
          throw new ApiError('invalid_request', 'Last-Event-ID: not an event id', {
            field: 'header.last-event-id',
          });
        }
        after = Number(header.trim());
      }
      // Read before the stream opens: an event published once the client
      // has the stream's first line is always after this point.
      const resumeFrom = after;
      const start = after ?? (await services.records.latestEventId());
      c.header('cache-control', 'no-store');
      c.header('x-accel-buffering', 'no');
      return streamSSE(c, async (stream) => {
        const abort = new AbortController();
        stream.onAbort(() => abort.abort());
        services.sse.clients += 1;
        try {
          await stream.write(': stream open\n\n');
          for await (const item of followEvents({
            records: services.records,
            hub: services.hub,
            ...(tenant === undefined ? {} : { tenant }),
            ...(types && types.length > 0 ? { types } : {}),
            after: start,
            gapCheck: resumeFrom !== null,
            keepaliveMs: services.settings.sseKeepaliveMs,
            pollMs: services.settings.ssePollMs,
            signal: abort.signal,
          })) {
            if (item.kind === 'keepalive') await stream.write(': keepalive\n\n');
            else if (item.kind === 'gap') {
              await stream.writeSSE({
                event: 'gap',
                data: JSON.stringify({ after: item.after, oldest: item.oldest }),
              });
            } else {
              await stream.writeSSE({
                id: String(item.record.id),
                event: item.record.type,
                data: JSON.stringify(toWire(item.record)),
              });
            }
            if (stream.aborted || stream.closed) break;
          }
        } catch (error) {
          log.warn(
            { err: { message: (error as Error).message } },
            'event stream ended by an error',
          );
        } finally {
          abort.abort();
          services.sse.clients -= 1;
        }
      });
    },
  });

  api.register({
    method: 'get',
    path: '/api/events/types',
    operationId: 'listEventTypes',
    summary: 'The event types and what each means',
    tags: TAG,
    access: 'any',
    responses: {
      200: {
        description: 'The catalogue.',
        schema: z.object({
          types: z.array(z.object({ type: z.string(), description: z.string() })),
        }),
      },
    },
    handler: async ({ c }) => c.json({ types: services.hub.catalogue.list() }),
  });
}
