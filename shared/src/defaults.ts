import { HEADER_SIZE } from './frame.js';
import type { Limits } from './messages.js';

/**
 * Protocol limits both sides start from; the handshake may lower them.
 * 256 KiB frames stay far below the smallest WebSocket message cap of the
 * edge runtimes (1 MiB in older local runtimes, 32 MiB in production).
 */
export const PROTOCOL_DEFAULTS: Readonly<Limits> = Object.freeze({
  maxFrameSize: 256 * 1024,
  // Credit each side grants per stream and direction before it is refilled.
  streamWindow: 1024 * 1024,
  maxStreams: 128,
});

/** The largest body chunk that fits one frame of the given size. */
export function maxChunkSize(maxFrameSize: number): number {
  return maxFrameSize - HEADER_SIZE;
}

/** The tighter of two sides' limits, as agreed at the handshake. */
export function agreeLimits(ours: Limits, theirs: Limits): Limits {
  return {
    maxFrameSize: Math.min(ours.maxFrameSize, theirs.maxFrameSize),
    streamWindow: Math.min(ours.streamWindow, theirs.streamWindow),
    maxStreams: Math.min(ours.maxStreams, theirs.maxStreams),
  };
}
