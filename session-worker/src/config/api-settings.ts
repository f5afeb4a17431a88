import { z } from 'zod';
import { parseAllowlist } from '../messages/allowlist.js';
import { API_DEFAULTS, type ApiSettings } from './defaults.js';
import { ConfigError } from './errors.js';

const ms = () => z.number().int().positive();
const bytes = () => z.number().int().positive();

const schema = z
  .strictObject({
    port: z.number().int().min(0).max(65_535),
    host: z.string().min(1),
    maxBodyBytes: bytes(),
    sendAckTimeoutMs: ms(),
    idempotencyTtlMs: ms(),
    mediaMaxBytes: bytes(),
    mediaFetchTimeoutMs: ms(),
    mediaMaxRedirects: z.number().int().min(0).max(20),
    urlAllowlist: z.string(),
    linkPreviews: z.enum(['off', 'guarded']),
    linkPreviewMaxBytes: bytes(),
    webhookTimeoutMs: ms(),
    webhookMaxAttempts: z.number().int().min(1).max(100),
    webhookBackoffBaseMs: ms(),
    webhookBackoffMaxMs: ms(),
    webhookConcurrency: z.number().int().min(1).max(1_000),
    webhookEndpointConcurrency: z.number().int().min(1).max(100),
    webhookPollMs: ms(),
    eventRetentionMs: ms(),
    sseKeepaliveMs: ms(),
    ssePollMs: ms(),
    inboundRetentionMs: ms(),
    pruneIntervalMs: ms(),
    settingsPollMs: ms(),
    metricsToken: z.string(),
  })
  .superRefine((s, ctx) => {
    const fail = (field: keyof ApiSettings, message: string) =>
      ctx.addIssue({ code: 'custom', path: [field], message });
    if (s.webhookBackoffMaxMs < s.webhookBackoffBaseMs) {
      fail('webhookBackoffMaxMs', 'must be at least webhookBackoffBaseMs');
    }
    // Base64 makes 4 bytes of 3; a body must fit the largest media file it may carry.
    if (s.maxBodyBytes < Math.ceil(s.mediaMaxBytes / 3) * 4) {
      fail('maxBodyBytes', 'must hold mediaMaxBytes as base64 (4/3 of it)');
    }
    if (s.metricsToken !== '' && s.metricsToken.length < 16) {
      fail('metricsToken', 'must be at least 16 characters when set');
    }
    try {
      parseAllowlist(s.urlAllowlist);
    } catch (error) {
      fail('urlAllowlist', (error as Error).message);
    }
  });

/** Merges `input` over `API_DEFAULTS` and validates the result, naming the first bad field. */
export function parseApiSettings(input: Partial<Record<string, unknown>> = {}): ApiSettings {
  const result = schema.safeParse({ ...API_DEFAULTS, ...input });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field =
    issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : (issue?.path.join('.') ?? '');
  throw new ConfigError(field, issue?.message ?? 'invalid');
}
