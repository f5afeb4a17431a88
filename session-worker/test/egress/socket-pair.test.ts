import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSocketPair } from '../../src/egress/socket-pair.js';

const remote = { address: 'web.whatsapp.com', port: 443 };

afterEach(() => {
  vi.useRealTimers();
});

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    stream.on('end', () => resolve(text));
  });
}

describe('an in-memory socket pair', () => {
  it('carries bytes in order both ways and ends each direction on its own', async () => {
    const { client, server } = createSocketPair({ remote });
    const atServer = collect(server);
    const atClient = collect(client);
    client.write('GET / HTTP/1.1\r\n');
    client.write('\r\n');
    server.end('HTTP/1.1 200 OK\r\n\r\n');
    client.end();

    expect(await atServer).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(await atClient).toBe('HTTP/1.1 200 OK\r\n\r\n');
  });

  it('holds a writer back until the reader takes the bytes', async () => {
    const { client, server } = createSocketPair({ remote, highWaterMark: 1024 });
    server.pause();
    let accepted = 0;
    while (client.write(Buffer.alloc(256))) accepted += 256;

    expect(accepted).toBeLessThan(4 * 1024);
    const drained = once(client, 'drain');
    server.resume();
    await drained;
    expect(client.writableLength).toBe(0);
  });

  it('ends the other side when one side closes without an error', async () => {
    const { client, server } = createSocketPair({ remote });
    client.resume();
    const ended = once(client, 'end');
    const closed = once(client, 'close');
    server.destroy();
    await ended;
    await closed;

    expect(client.destroyed).toBe(true);
    expect(client.errored).toBeNull();
  });

  it('fails the other side with the exact error it is aborted with', async () => {
    const { client, server } = createSocketPair({ remote });
    const failure = Object.assign(new Error('no_peer: refused'), { code: 'no_peer' });
    const erred = once(client, 'error');
    const serverClosed = once(server, 'close');
    server.abort(failure);
    const [error] = await erred;
    await serverClosed;

    expect(error).toBe(failure);
    expect(server.errored).toBeNull();
  });

  it('refuses a write once the other side is gone', async () => {
    const { client, server } = createSocketPair({ remote });
    client.on('error', () => {});
    client.resume();
    server.destroy();
    await once(client, 'end');
    const written = new Promise<Error | null | undefined>((resolve) =>
      client.write('late', (error) => resolve(error)),
    );

    expect(await written).toMatchObject({
      code: expect.stringMatching(/^(EPIPE|ERR_STREAM_WRITE_AFTER_END)$/),
    });
  });

  it('reports idle time with a timeout event, postponed by activity', () => {
    vi.useFakeTimers();
    const { client, server } = createSocketPair({ remote });
    server.resume();
    const timedOut = vi.fn();
    client.setTimeout(1_000, timedOut);
    vi.advanceTimersByTime(800);
    client.write('x');
    vi.advanceTimersByTime(800);
    expect(timedOut).not.toHaveBeenCalled();
    vi.advanceTimersByTime(200);
    expect(timedOut).toHaveBeenCalledTimes(1);
    client.setTimeout(0);
  });

  it('answers the socket questions http clients ask', () => {
    const { client, server } = createSocketPair({ remote });

    expect([client.remoteAddress, client.remotePort]).toEqual(['web.whatsapp.com', 443]);
    expect(client.connecting).toBe(false);
    expect(client.readyState).toBe('open');
    expect(client.setNoDelay().setKeepAlive().ref().unref()).toBe(client);
    expect(server.allowHalfOpen).toBe(true);
    expect(client.allowHalfOpen).toBe(false);
  });
});
