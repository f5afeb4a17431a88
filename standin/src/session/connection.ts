import { proto } from '@whiskeysockets/baileys';
import type { RawData, WebSocket } from 'ws';
import type { Account } from '../accounts/store.js';
import type { StandinContext } from '../context.js';
import type { AccountFaults } from '../faults.js';
import { FrameReader, encodeFrame } from '../noise/frames.js';
import { NoiseResponder, type NoiseTransport } from '../noise/handshake.js';
import type { ConnectionRecord } from '../records.js';
import { decodeNode, encodeNode, type BinaryNode } from '../wire/nodes.js';
import { handleClientPayload } from './login.js';
import { dispatchStanza } from './dispatch.js';
import { Outbox } from './outbox.js';

/**
 * hello → finish: Noise handshake; registering: a new device waiting for a
 * phone; ready: logged in; ending: a stream error or failure was sent and the
 * client is expected to close; closed.
 */
export type Phase = 'hello' | 'finish' | 'registering' | 'ready' | 'ending' | 'closed';

interface Waiter {
  readonly resolve: (node: BinaryNode) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** One upstream WhatsApp WebSocket: the Noise session and the stanzas on it. */
export class UpstreamConnection {
  phase: Phase = 'hello';
  account: Account | null = null;
  device: number | null = null;
  /** The client's Noise static key (its `creds.noiseKey.public`), known after ClientFinish. */
  clientStatic: Buffer | null = null;
  /** Acks held by the `holdAcks` fault, sent when it is cleared or released. */
  readonly heldAcks: BinaryNode[] = [];

  private readonly reader = new FrameReader();
  private readonly responder: NoiseResponder;
  private transport: NoiseTransport | null = null;
  private readonly outbox: Outbox;
  private inbound: Promise<void> = Promise.resolve();
  private readonly waiters = new Map<string, Waiter>();
  private graceTimer: NodeJS.Timeout | null = null;
  private readonly onFaultChange = (): void => this.faultsChanged();

  constructor(
    private readonly socket: WebSocket,
    readonly record: ConnectionRecord,
    readonly ctx: StandinContext,
  ) {
    this.responder = new NoiseResponder(ctx.noise);
    this.outbox = new Outbox((frame) => this.writeRaw(frame), {
      delayMs: () => this.faults().delayFramesMs,
      stalled: () => this.faults().stallFrames,
    });
    socket.on('message', (data) => this.onMessage(data));
    socket.on('close', () => this.onClosed());
    // An 'error' is always followed by 'close', which does the bookkeeping.
    socket.on('error', () => undefined);
    ctx.faults.on('account', this.onFaultChange);
    ctx.connections.add(this);
  }

  faults(): AccountFaults {
    return this.ctx.faults.forAccount(this.record.account);
  }

  get isOpen(): boolean {
    return this.phase !== 'closed';
  }

  /** Encrypts and queues a stanza for the client. */
  send(node: BinaryNode): void {
    if (this.phase === 'closed' || !this.transport) return;
    this.record.framesOut += 1;
    this.outbox.push(encodeFrame(this.transport.encrypt(encodeNode(node))));
  }

  /** Waits for the client's `<iq type=result|error>` with this id. */
  expectReply(id: string, timeoutMs: number): Promise<BinaryNode> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`no reply to ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(id, { resolve, reject, timer });
    });
  }

  /**
   * Sends a stream error or failure, then lets the client close the socket.
   * Closing at once would race Baileys' asynchronous decoding of that last
   * frame; the grace timer closes it if the client does not.
   */
  endWith(node: BinaryNode, outcome: string): void {
    if (this.phase === 'ending' || this.phase === 'closed') return;
    this.record.outcome = outcome;
    this.send(node);
    this.phase = 'ending';
    void this.outbox.drained().then(() => {
      if (this.phase === 'closed') return;
      this.graceTimer = setTimeout(
        () => this.socket.close(1000),
        this.ctx.options.streamErrorGraceMs,
      );
    });
  }

  /** Cuts the connection without a close frame, as a network failure would. */
  drop(outcome: string): void {
    if (this.phase === 'closed') return;
    this.record.outcome = outcome;
    this.socket.terminate();
  }

  /** Closes with a WebSocket close frame (stand-in shutting down). */
  close(outcome: string): void {
    if (this.phase === 'closed') return;
    this.record.outcome ??= outcome;
    this.socket.close(1001);
  }

  /** Sends the held acks, with an error code if given (Baileys then marks the message failed). */
  releaseAcks(error?: string): number {
    const held = this.heldAcks.splice(0);
    for (const ack of held) {
      this.send(error === undefined ? ack : { ...ack, attrs: { ...ack.attrs, error } });
    }
    return held.length;
  }

  private writeRaw(frame: Buffer): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(frame);
  }

  private faultsChanged(): void {
    this.outbox.pump();
    if (!this.faults().holdAcks && this.heldAcks.length > 0) this.releaseAcks();
  }

  private onMessage(data: RawData): void {
    let frames: Buffer[];
    try {
      frames = this.reader.push(toBuffer(data));
    } catch {
      this.drop('protocol-error bad intro');
      return;
    }
    if (this.reader.introInfo?.routingInfo) this.record.routed = true;
    for (const frame of frames) {
      this.inbound = this.inbound
        .then(() => this.onFrame(frame))
        .catch(() => this.drop('protocol-error undecodable frame'));
    }
  }

  private async onFrame(frame: Buffer): Promise<void> {
    if (this.phase === 'closed') return;
    this.record.framesIn += 1;
    if (this.phase === 'hello') {
      const hello = proto.HandshakeMessage.decode(frame).clientHello;
      if (!hello?.ephemeral || hello.ephemeral.length !== 32) throw new Error('bad ClientHello');
      this.phase = 'finish';
      this.outbox.push(encodeFrame(this.responder.respondToHello(hello.ephemeral)));
      return;
    }
    if (this.phase === 'finish') {
      const finish = proto.HandshakeMessage.decode(frame).clientFinish;
      if (!finish?.static || !finish.payload) throw new Error('bad ClientFinish');
      const result = this.responder.readFinish(finish.static, finish.payload);
      this.transport = result.transport;
      this.clientStatic = result.clientStatic;
      this.phase = 'registering';
      handleClientPayload(this, proto.ClientPayload.decode(result.payload));
      return;
    }
    if (!this.transport) return;
    const node = await decodeNode(this.transport.decrypt(frame));
    if (this.phase === 'ending') return;
    const id = node.attrs.id;
    if (
      node.tag === 'iq' &&
      id !== undefined &&
      (node.attrs.type === 'result' || node.attrs.type === 'error')
    ) {
      const waiter = this.waiters.get(id);
      if (waiter) {
        clearTimeout(waiter.timer);
        this.waiters.delete(id);
        waiter.resolve(node);
        return;
      }
    }
    await dispatchStanza(node, this);
  }

  private onClosed(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.outbox.close();
    for (const waiter of this.waiters.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('connection closed'));
    }
    this.waiters.clear();
    this.ctx.faults.off('account', this.onFaultChange);
    this.ctx.connections.remove(this);
    this.ctx.registrations.remove(this);
    this.ctx.records.closeConnection(this.record, 'client-closed');
  }
}
