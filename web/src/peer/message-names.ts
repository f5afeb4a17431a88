import { FrameType, frameTypeName } from '@pasarela/shared';
import type { Message } from '@pasarela/shared';

const KIND_TYPES: Record<Message['kind'], number> = {
  hello: FrameType.Hello,
  welcome: FrameType.Welcome,
  error: FrameType.Error,
  'request-head': FrameType.RequestHead,
  'response-head': FrameType.ResponseHead,
  body: FrameType.Body,
  end: FrameType.End,
  'ws-open': FrameType.WsOpen,
  'ws-opened': FrameType.WsOpened,
  'ws-message': FrameType.WsMessage,
  'ws-close': FrameType.WsClose,
  credit: FrameType.Credit,
  reset: FrameType.Reset,
  ping: FrameType.Ping,
  pong: FrameType.Pong,
  presence: FrameType.Presence,
  'peer-state': FrameType.PeerState,
  'tenant-status': FrameType.TenantStatus,
  stats: FrameType.Stats,
};

/** The protocol's name for a message's frame type, e.g. `WsMessage`. */
export function messageTypeName(message: Message): string {
  return frameTypeName(KIND_TYPES[message.kind]);
}

/** The stream and connection ids a message travels with (0 for connection frames). */
export function messageIds(message: Message): { streamId: number; connectionId: number } {
  if ('streamId' in message) {
    return { streamId: message.streamId, connectionId: message.connectionId };
  }
  return { streamId: 0, connectionId: 0 };
}
