import { EGRESS_POLICIES, TENANT_ID_PATTERN } from '@pasarela/shared';
import { z } from 'zod';
import { SESSION_STATUSES } from '../session/index.js';

/** Schemas shared by several routes. */

export const tenantId = z
  .string()
  .regex(TENANT_ID_PATTERN, 'must be a tenant slug: a-z, 0-9, _ and -, up to 63 characters')
  .describe('The tenant (restaurant) id.');

export const tenantParams = z.object({ tenantId });

export const policy = z.enum(EGRESS_POLICIES as unknown as [string, ...string[]]);

export const sessionStatus = z.enum(SESSION_STATUSES as unknown as [string, ...string[]]);

export const idempotencyKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    context: z.record(z.string(), z.unknown()),
  }),
});

export const sessionView = z.object({
  tenantId: z.string(),
  status: z.string().describe('stopped, starting, qr, connected, reconnecting, logged_out, ...'),
  since: z.number().nullable().describe('When the status began (epoch ms).'),
  reason: z.string().nullable(),
  phoneNumber: z.string().nullable().describe('The paired phone number, digits only.'),
  account: z.string().nullable().describe('The paired device JID.'),
  lastSeen: z.number().nullable().describe('When WhatsApp last sent anything (epoch ms).'),
  running: z.boolean().describe('The session runs on this worker.'),
  held: z.boolean().describe('This worker holds the tenant lease.'),
  epoch: z.number().nullable(),
  loop: z.boolean().describe('Reconnects reached the loop threshold.'),
  attempts: z.number(),
  lastDisconnect: z
    .object({ statusCode: z.number().nullable(), reason: z.string(), at: z.number() })
    .nullable(),
  qr: z.boolean().describe('A pairing QR is shown now.'),
  hasTunnel: z.boolean(),
  tunnelHealthy: z.boolean(),
  route: z.string().describe('Route of the WhatsApp WebSocket: tunnel, direct or none.'),
  tunnel: z.string().describe('The tunnel in a phrase ("no tunnel" without one).'),
  egressPolicy: policy,
});

export const sendView = z.object({
  idempotencyKey: z.string(),
  id: z.string().nullable().describe("WhatsApp's message id, once written."),
  to: z.string(),
  kind: z.string(),
  state: z.enum(['sending', 'sent', 'pending', 'outcome_unknown', 'failed']),
  createdAt: z.number(),
  ackAt: z.number().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const webhookView = z.object({
  id: z.string(),
  tenantId: z.string().nullable(),
  url: z.string(),
  events: z.array(z.string()).nullable(),
  createdAt: z.number(),
});
