import { describe, expect, it } from 'vitest';
import { mayHaveLeft } from '../../src/messages/send-write.js';

/** The shape of Baileys' errors (Boom): a message and `output.statusCode`. */
const boom = (message: string, statusCode: number) =>
  Object.assign(new Error(message), { output: { statusCode } });

describe('whether a send that threw may have reached WhatsApp', () => {
  it.each([
    ['a device lookup failed on an open socket', new Error('usync failed'), false, false],
    ['the socket was closed before the write', boom('Connection Closed', 428), false, false],
    ['the socket closed while the call ran', new Error('Connection Closed'), true, true],
    ['the write timed out', boom('Timed Out', 408), false, true],
    ['a plain timeout error', new Error('Timed Out'), false, true],
    ['nothing was thrown but the socket closed', null, true, true],
  ])('%s: %s', (_, error, closed, expected) => {
    expect(mayHaveLeft(error, closed)).toBe(expected);
  });
});
