import type { SendRecord } from '../records/index.js';

/** A send as the API shows it: never the message content. */
export interface SendView {
  readonly idempotencyKey: string;
  /** WhatsApp's message id, once the message was written. */
  readonly id: string | null;
  readonly to: string;
  readonly kind: string;
  readonly state: SendRecord['state'];
  readonly createdAt: number;
  readonly ackAt: number | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export function sendView(record: SendRecord): SendView {
  return {
    idempotencyKey: record.key,
    id: record.messageId,
    to: record.to,
    kind: record.kind,
    state: record.state,
    createdAt: record.createdAt,
    ackAt: record.ackAt,
    error:
      record.errorCode === null
        ? null
        : { code: record.errorCode, message: record.errorMessage ?? record.errorCode },
  };
}
