import { ProtocolError } from '@pasarela/shared';
import type { Room } from '../core/room.js';
import { bearerToken, errorResponse, jsonResponse } from './errors.js';

/**
 * Plain HTTP that reaches a room (its own URL, or the admin route forwarded
 * to it): a GET answers the inspection for an admin token.
 */
export async function roomHttp(room: Room, request: Request): Promise<Response> {
  try {
    if (request.method !== 'GET') {
      throw new ProtocolError('not_found', `a room answers GET, not ${request.method}`);
    }
    return jsonResponse(await room.inspect(bearerToken(request)));
  } catch (error) {
    return errorResponse(error);
  }
}
