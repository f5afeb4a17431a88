import { z } from 'zod';
import { ERROR_CODES } from './errors.js';
import type { ErrorCode } from './errors.js';
import { PROTOCOL_VERSION } from './frame.js';

/**
 * Schemas of the structured frame payloads (JSON). Bodies and WebSocket
 * messages are raw bytes and have no schema; they are never parsed.
 */

export const ROLES = ['peer', 'worker', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const EGRESS_POLICIES = ['prefer-tunnel', 'tunnel-only', 'direct'] as const;
export type EgressPolicy = (typeof EGRESS_POLICIES)[number];

/** The three kinds of WhatsApp traffic a peer may or may not be able to carry. */
export const LEGS = ['websocket', 'download', 'upload'] as const;
export type Leg = (typeof LEGS)[number];

// RFC 9110, section 5.6.2: a field name is a token.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values may not carry CR, LF or NUL (RFC 9110, section 5.5).
const HEADER_VALUE = /^[^\r\n\0]*$/;

const headerName = z.string().min(1).max(256).regex(HEADER_NAME, 'not a valid header name');
const headerValue = z.string().max(16_384).regex(HEADER_VALUE, 'header value has CR, LF or NUL');

/** Ordered name/value pairs: order and repeats (two `Set-Cookie`) are kept. */
export const headerListSchema = z.array(z.tuple([headerName, headerValue])).max(256);
export type HeaderList = z.infer<typeof headerListSchema>;

const urlString = z
  .string()
  .max(8_192)
  .refine((value) => URL.canParse(value), 'not an absolute URL');

const timestamp = z.number().finite().nonnegative();
const u32 = z.number().int().min(0).max(0xffff_ffff);
const shortText = z.string().max(1_024);

export const limitsSchema = z.object({
  maxFrameSize: z
    .number()
    .int()
    .min(1_024)
    .max(16 * 1024 * 1024),
  streamWindow: z.number().int().min(1_024).max(0xffff_ffff),
  maxStreams: z.number().int().min(1).max(65_535),
});
export type Limits = z.infer<typeof limitsSchema>;

export const helloSchema = z.object({
  protocol: z.number().int(),
  role: z.enum(ROLES),
  software: shortText,
  capabilities: z.array(z.string().max(64)).max(64),
  limits: limitsSchema,
});
export type Hello = z.infer<typeof helloSchema>;

export const welcomeSchema = z.object({
  protocol: z.literal(PROTOCOL_VERSION),
  role: z.enum(ROLES),
  tenant: z.string().max(128),
  /** The room's id for this connection (peers are told theirs). */
  connectionName: z.string().max(128),
  limits: limitsSchema,
  serverTime: timestamp,
});
export type Welcome = z.infer<typeof welcomeSchema>;

export const errorBodySchema = z.object({
  code: z.enum(ERROR_CODES as [string, ...string[]]),
  message: z.string().max(2_048),
});
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

export const requestHeadSchema = z.object({
  method: z.string().min(1).max(16).regex(HEADER_NAME, 'not a valid method'),
  url: urlString,
  headers: headerListSchema,
  /** Milliseconds the whole exchange may take, body included. */
  deadlineMs: z.number().int().min(1).max(3_600_000),
  /** The request may be sent again on another route if no response byte came. */
  replaySafe: z.boolean(),
  /** Body length when known; `null` for a streamed body of unknown size. */
  bodyLength: z.number().int().nonnegative().nullable(),
  leg: z.enum(LEGS),
});
export type RequestHead = z.infer<typeof requestHeadSchema>;

export const responseHeadSchema = z.object({
  status: z.number().int().min(0).max(999),
  statusText: z.string().max(512),
  headers: headerListSchema,
  /** Final URL after redirects. */
  url: z.string().max(8_192),
  redirected: z.boolean(),
  /** A browser returned an opaque response (e.g. an opaque redirect). */
  opaque: z.boolean(),
  /** Request header names the peer dropped because a browser forbids them. */
  droppedRequestHeaders: z.array(headerName).max(256),
  /** The peer could read only the response headers a browser exposes. */
  partialHeaders: z.boolean(),
});
export type ResponseHead = z.infer<typeof responseHeadSchema>;

export const wsOpenSchema = z.object({
  url: urlString,
  protocols: z.array(z.string().max(256)).max(16),
  headers: headerListSchema,
  deadlineMs: z.number().int().min(1).max(600_000),
});
export type WsOpen = z.infer<typeof wsOpenSchema>;

export const wsOpenedSchema = z.object({
  protocol: z.string().max(256),
  extensions: z.string().max(1_024),
  droppedRequestHeaders: z.array(headerName).max(256),
});
export type WsOpened = z.infer<typeof wsOpenedSchema>;

export const wsCloseSchema = z.object({
  code: z.number().int().min(1000).max(4999),
  reason: z.string().max(123),
});
export type WsClose = z.infer<typeof wsCloseSchema>;

export const resetBodySchema = errorBodySchema;
export type ResetBody = ErrorBody;

export const PEER_STATES = ['active', 'paused'] as const;
export type PeerState = (typeof PEER_STATES)[number];

export const PEER_HEALTH = ['unknown', 'healthy', 'degraded', 'gone'] as const;
export type PeerHealth = (typeof PEER_HEALTH)[number];

export const legStateSchema = z.object({
  status: z.enum(['unprobed', 'ok', 'unavailable']),
  reason: shortText.optional(),
});
export type LegState = z.infer<typeof legStateSchema>;

export const legsSchema = z.object({
  websocket: legStateSchema,
  download: legStateSchema,
  upload: legStateSchema,
});
export type Legs = z.infer<typeof legsSchema>;

/** Sent by a peer to say whether staff paused it and which legs it serves. */
export const peerStateSchema = z.object({
  state: z.enum(PEER_STATES),
  legs: legsSchema,
});
export type PeerStateBody = z.infer<typeof peerStateSchema>;

export const peerInfoSchema = z.object({
  peerId: z.string().max(128),
  state: z.enum(PEER_STATES),
  health: z.enum(PEER_HEALTH),
  rttMs: z.number().finite().nonnegative().nullable(),
  legs: legsSchema,
  userAgent: z.string().max(512).nullable(),
  connectedAt: timestamp,
});
export type PeerInfo = z.infer<typeof peerInfoSchema>;

/** Sent by the room to the worker whenever the primary or its health changes. */
export const presenceSchema = z.object({
  primary: z.string().max(128).nullable(),
  peers: z.array(peerInfoSchema).max(1_024),
});
export type Presence = z.infer<typeof presenceSchema>;

export const ROUTES = ['tunnel', 'direct', 'none'] as const;
export type RouteName = (typeof ROUTES)[number];

/**
 * The peer that carries (or would carry) the tenant's traffic, as the worker
 * last heard of it in Presence, so a page can tell a slow tunnel from an
 * absent one without asking anybody else.
 */
export const statusPeerSchema = z.object({
  peerId: z.string().max(128),
  state: z.enum(PEER_STATES),
  health: z.enum(PEER_HEALTH),
  /** The room's smoothed round trip to that peer. */
  rttMs: z.number().finite().nonnegative().nullable(),
  /** The worker's own round trip through the tunnel passed its limit. */
  slow: z.boolean(),
});
export type StatusPeer = z.infer<typeof statusPeerSchema>;

/**
 * The worker's word on the tenant, relayed by the room to every peer, so
 * each open page can show the truth without an API key.
 */
export const tenantStatusSchema = z.object({
  session: z.string().max(64),
  policy: z.enum(EGRESS_POLICIES),
  routes: z.object({
    websocket: z.enum(ROUTES),
    download: z.enum(ROUTES),
    upload: z.enum(ROUTES),
  }),
  protected: z.boolean(),
  leaks: u32,
  reason: shortText.nullable(),
  updatedAt: timestamp,
  /**
   * The primary peer, or null when no peer can carry the traffic. Optional:
   * a worker that predates it leaves it out, and pages then judge from
   * their own peer alone.
   */
  peer: statusPeerSchema.nullable().optional(),
});
export type TenantStatus = z.infer<typeof tenantStatusSchema>;

/** A stats snapshot; its fields are the room's and grow without a version bump. */
export const statsSchema = z.record(
  z.string().max(64),
  z.union([z.number(), z.string().max(256), z.null(), z.record(z.string().max(64), z.number())]),
);
export type StatsBody = z.infer<typeof statsSchema>;
