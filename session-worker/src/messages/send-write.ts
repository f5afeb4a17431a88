/**
 * Whether a message Baileys' `sendMessage` threw on may have reached
 * WhatsApp. Its last step writes the stanza; a throw before it (a device
 * lookup, encryption, a closed socket seen up front) sent nothing. Two
 * cases are unknowable: the socket closed while the call ran, or the write
 * itself timed out (Baileys' Boom 408 "Timed Out" after `connectTimeoutMs`):
 * the bytes may have left.
 */
export function mayHaveLeft(error: unknown, socketClosed: boolean): boolean {
  if (socketClosed) return true;
  const boom = error as { output?: { statusCode?: number }; message?: string } | null;
  return boom?.output?.statusCode === 408 || boom?.message === 'Timed Out';
}

/** A throw from `sendMessage`, with the id the message was given and the judgement above. */
export class SendWriteError extends Error {
  override readonly name = 'SendWriteError';

  constructor(
    override readonly cause: unknown,
    readonly messageId: string,
    /** The message may have reached WhatsApp: the send's outcome is unknown. */
    readonly unknown: boolean,
  ) {
    super('the message could not be written');
  }
}

/** Resolves `deadline` after `ms`, without holding the process open. */
export function deadlineAfter(ms: number): Promise<'deadline'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('deadline'), ms);
    timer.unref();
  });
}
