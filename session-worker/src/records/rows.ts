import type { EgressPolicy } from '@pasarela/shared';
import type {
  ApiKeyRecord,
  DeadLetterRecord,
  EventRecord,
  InboundRecord,
  SendRecord,
  SendState,
  TenantSettingsRecord,
  WebhookRecord,
} from './types.js';

/** Row shapes shared by both backends: columns as the tables name them. */

// PostgreSQL hands bigint columns back as strings; every time here is well within 2^53.
const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
const strOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

export type Row = Record<string, unknown>;

export function apiKeyFromRow(row: Row): ApiKeyRecord {
  return {
    id: String(row['key_id']),
    tenant: String(row['tenant_id']),
    hash: String(row['hash']),
    label: strOrNull(row['label']),
    createdAt: num(row['created_at']),
    revokedAt: numOrNull(row['revoked_at']),
  };
}

export function sendFromRow(row: Row): SendRecord {
  return {
    tenant: String(row['tenant_id']),
    key: String(row['idem_key']),
    requestHash: String(row['request_hash']),
    state: String(row['state']) as SendState,
    retryable: row['retryable'] === true || row['retryable'] === 1,
    messageId: strOrNull(row['message_id']),
    to: String(row['recipient']),
    kind: String(row['kind']),
    errorCode: strOrNull(row['error_code']),
    errorMessage: strOrNull(row['error_message']),
    message: strOrNull(row['message']),
    createdAt: num(row['created_at']),
    updatedAt: num(row['updated_at']),
    ackAt: numOrNull(row['ack_at']),
    owner: String(row['owner']),
  };
}

export function eventFromRow(row: Row): EventRecord {
  return {
    id: num(row['id']),
    type: String(row['type']),
    tenant: strOrNull(row['tenant_id']),
    at: num(row['at']),
    data: JSON.parse(String(row['data'])) as unknown,
  };
}

export function webhookFromRow(row: Row): WebhookRecord {
  const events = strOrNull(row['events']);
  return {
    id: String(row['webhook_id']),
    tenant: strOrNull(row['tenant_id']),
    url: String(row['url']),
    events: events === null ? null : (JSON.parse(events) as string[]),
    secret: String(row['secret']),
    createdAt: num(row['created_at']),
  };
}

export function deadLetterFromRow(row: Row): DeadLetterRecord {
  return {
    id: num(row['id']),
    webhookId: String(row['webhook_id']),
    event: JSON.parse(String(row['event'])) as EventRecord,
    attempts: num(row['attempts']),
    lastStatus: numOrNull(row['last_status']),
    lastError: strOrNull(row['last_error']),
    createdAt: num(row['created_at']),
  };
}

export function inboundFromRow(row: Row): InboundRecord {
  return {
    tenant: String(row['tenant_id']),
    messageId: String(row['message_id']),
    chat: String(row['chat']),
    at: num(row['at']),
    raw: String(row['raw']),
  };
}

export function settingsFromRow(row: Row): TenantSettingsRecord {
  return {
    tenant: String(row['tenant_id']),
    policy: String(row['policy']) as EgressPolicy,
    updatedAt: num(row['updated_at']),
  };
}

/** Column values of a send, in the order of `SEND_COLUMNS`. */
export const SEND_COLUMNS = [
  'tenant_id',
  'idem_key',
  'request_hash',
  'state',
  'retryable',
  'message_id',
  'recipient',
  'kind',
  'error_code',
  'error_message',
  'message',
  'created_at',
  'updated_at',
  'ack_at',
  'owner',
] as const;

export function sendValues(record: SendRecord, bool: (b: boolean) => unknown): unknown[] {
  return [
    record.tenant,
    record.key,
    record.requestHash,
    record.state,
    bool(record.retryable),
    record.messageId,
    record.to,
    record.kind,
    record.errorCode,
    record.errorMessage,
    record.message,
    record.createdAt,
    record.updatedAt,
    record.ackAt,
    record.owner,
  ];
}

/** Column names of a send patch's fields. */
export const PATCH_COLUMNS: Record<string, string> = {
  state: 'state',
  retryable: 'retryable',
  messageId: 'message_id',
  errorCode: 'error_code',
  errorMessage: 'error_message',
  message: 'message',
  ackAt: 'ack_at',
};
