import type { z } from 'zod';
import { ApiError } from './errors.js';

/**
 * Validates input with a schema; a failure is `invalid_request` naming the
 * first bad field as `context.field` (`body.media.url`, `query.limit`, ...).
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'path' | 'query' | 'body',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path =
    issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  const field = [where, ...path.map(String)].join('.');
  const message =
    issue.code === 'unrecognized_keys' ? 'is not a field of this request' : issue.message;
  throw new ApiError('invalid_request', `${field}: ${message}`, { field });
}
