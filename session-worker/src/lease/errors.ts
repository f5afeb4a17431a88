/** Errors of tenant leases. A connect that meets any of them must not happen. */
export const LEASE_ERRORS = {
  lease_not_held: {
    meaning: 'This replica does not hold the tenant’s lease (or is giving it up).',
    cause: 'system',
  },
  lease_lost: {
    meaning: 'Another replica took the tenant over: the lease epoch or owner changed.',
    cause: 'system',
  },
  lease_expired: {
    meaning: 'The lease ran out before it could be renewed (the process was paused or cut off).',
    cause: 'system',
  },
  lease_unverified: {
    meaning: 'The lease could not be checked against the database, so it cannot be trusted.',
    cause: 'system',
  },
  lease_stop_timeout: {
    meaning: 'The holder did not stop the tenant in time; the lease is left to expire instead.',
    cause: 'system',
  },
  lease_stopped: {
    meaning: 'The lease manager has been shut down.',
    cause: 'system',
  },
} as const satisfies Record<string, { meaning: string; cause: 'user' | 'system' }>;

export type LeaseErrorCode = keyof typeof LEASE_ERRORS;

export class LeaseError extends Error {
  override readonly name = 'LeaseError';
  readonly code: LeaseErrorCode;
  readonly context: { tenant?: string; epoch?: number; [key: string]: unknown };

  constructor(
    code: LeaseErrorCode,
    detail: string,
    context: LeaseError['context'] = {},
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}`, options);
    this.code = code;
    this.context = context;
  }
}

export function isLeaseError(value: unknown, code?: LeaseErrorCode): value is LeaseError {
  return value instanceof LeaseError && (code === undefined || value.code === code);
}
