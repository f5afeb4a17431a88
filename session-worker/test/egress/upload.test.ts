import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { egressFixture, recordsOf, TENANT } from '../support/egress-fixture.js';
import type { EgressFixture } from '../support/egress-fixture.js';
import { payload } from '../support/payload.js';
import { settledValue } from '../support/settle.js';

const TOKEN = 'n7Qd1-kXhV8';
const UPLOAD_PATH = `/mms/image/${TOKEN}?auth=SECRET-AUTH-VALUE&token=${TOKEN}`;

let fixture: EgressFixture;

beforeEach(async () => {
  fixture = await egressFixture();
});

afterEach(async () => {
  await fixture.close();
});

interface UploadReply {
  status: number;
  body: { method: string; path: string; length: number; sha256: string };
}

/** Uploads the way Baileys 7.0.0-rc14 does (uploadWithNodeHttp), writing with backpressure. */
function upload(body: Buffer, path = UPLOAD_PATH): Promise<UploadReply> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        hostname: 'mmg.whatsapp.net',
        port: 443,
        path,
        method: 'POST',
        headers: {
          'Content-Type': 'application/octet-stream',
          Origin: 'https://web.whatsapp.com',
          'Content-Length': body.length,
        },
        agent: fixture.egress.agent,
        timeout: 30_000,
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as UploadReply['body'],
          });
        });
      },
    );
    request.on('error', reject);
    writeInChunks(request, body);
  });
}

function writeInChunks(
  request: NodeJS.WritableStream,
  body: Buffer,
  onWrite?: (n: number) => void,
) {
  let offset = 0;
  const next = (): void => {
    while (offset < body.length) {
      const chunk = body.subarray(offset, offset + 64 * 1024);
      offset += chunk.length;
      onWrite?.(offset);
      if (!request.write(chunk)) {
        request.once('drain', next);
        return;
      }
    }
    request.end();
  };
  next();
}

describe('the agent face with https.request (media uploads)', () => {
  it('uploads 5 MB byte-exact to the host-mapped media host', async () => {
    const reply = await upload(payload(5 * 1024 * 1024, 'upload'));

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      method: 'POST',
      path: `/mms/image/${TOKEN}`,
      length: 5_242_880,
      sha256: '49c639c829037b1a7210735a9576ffe797c1a429e3798f79402ee656f9fe25d7',
    });
    const seen = fixture.upstream.requests[0]!;
    expect(seen.path).toBe(UPLOAD_PATH);
    expect(seen.servername).toBe('mmg.whatsapp.net');
    expect(seen.headers.host).toBe('mmg.whatsapp.net');
    expect(seen.headers.origin).toBe('https://web.whatsapp.com');
    expect(seen.headers['content-length']).toBe('5242880');
  });

  it(
    'records the connection once, as the tenant’s ' + 'direct upload, though two uploads used it',
    async () => {
      await upload(payload(1024, 'first'));
      await upload(payload(2048, 'second'));

      expect(fixture.upstream.connections).toEqual(['mmg.whatsapp.net']);
      const records = recordsOf(fixture.audit);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        tenant: TENANT,
        source: 'agent',
        host: 'mmg.whatsapp.net',
        port: 443,
        leg: 'upload',
        route: 'direct',
        reason: 'policy_direct',
        leak: false,
      });
    },
  );

  it(
    'holds the uploader back while the upstream ' + 'does not read, then delivers every byte',
    async () => {
      let release: (() => void) | undefined;
      fixture.upstream.handle(`/mms/video/${TOKEN}`, (request, response) => {
        request.pause();
        release = () => {
          let length = 0;
          request.on('data', (chunk: Buffer) => (length += chunk.length));
          request.on('end', () => response.end(JSON.stringify({ length })));
          request.resume();
        };
      });
      const total = 64 * 1024 * 1024;
      let written = 0;
      const finished = new Promise<number>((resolve, reject) => {
        const request = https.request(
          {
            hostname: 'mmg.whatsapp.net',
            path: `/mms/video/${TOKEN}?token=${TOKEN}`,
            method: 'POST',
            headers: { 'Content-Length': total },
            agent: fixture.egress.agent,
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve((JSON.parse(text) as { length: number }).length));
          },
        );
        request.on('error', reject);
        writeInChunks(request, Buffer.alloc(total, 7), (offset) => (written = offset));
      });
      const heldAt = await settledValue(() => written);
      console.log(`upload held at ${(heldAt / 2 ** 20).toFixed(1)} MiB of 64 MiB while unread`);

      expect(heldAt).toBeLessThan(total / 2);
      release!();
      expect(await finished).toBe(total);
    },
  );

  it(
    'reports a broken upload that is not content-addressed as ' +
      'outcome_unknown, without the auth parameter in the log',
    async () => {
      await upload(payload(1024, 'secret'));
      fixture.upstream.handle('/mms/audio/broken', (request) => request.socket.destroy());
      await expect(
        upload(payload(10, 'x'), '/mms/audio/broken?auth=SECRET-AUTH-VALUE'),
      ).rejects.toMatchObject({ code: 'outcome_unknown' });

      const logged = JSON.stringify(fixture.logger.lines);
      expect(logged).toContain('mms/audio/broken');
      expect(logged).not.toContain('SECRET-AUTH-VALUE');
    },
  );
});
