import { isProtocolError, ProtocolError } from '@pasarela/shared';

/** Any failure as a catalogue error; an unexpected one is `internal`, naming only its class. */
export function asProtocolError(error: unknown): ProtocolError {
  if (isProtocolError(error)) return error;
  return new ProtocolError('internal', error instanceof Error ? error.name : 'unexpected fault');
}
