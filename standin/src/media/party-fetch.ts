import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';

/** Where the stand-in's own TLS listener is, and the CA that signs its certificate. */
export interface FetchTarget {
  readonly host: string;
  readonly port: number;
  readonly caPem: string;
}

const USER_AGENT = 'pasarela-standin simulated device';

/**
 * The HTTPS client the stand-in's simulated devices (contacts, phones) use
 * to fetch media from the media host, over the same TLS listener and
 * certificate Baileys sees. Each request is tagged with the device that made
 * it by its socket's local port, so the records can tell a simulated
 * device's download from a client's without trusting anything the request says.
 */
export class PartyFetcher {
  private target: FetchTarget | null = null;
  private readonly ports = new Map<number, string>();

  bind(target: FetchTarget): void {
    this.target = target;
  }

  /** The simulated device that owns this loopback peer, or null for any other client. */
  partyOf(remoteAddress: string, remotePort: number): string | null {
    const loopback =
      remoteAddress === '127.0.0.1' ||
      remoteAddress === '::1' ||
      remoteAddress === '::ffff:127.0.0.1';
    return loopback ? (this.ports.get(remotePort) ?? null) : null;
  }

  /** GETs an https URL on a served host; resolves with the body of a 200, rejects otherwise. */
  get(party: string, url: string): Promise<Buffer> {
    const target = this.target;
    if (!target) return Promise.reject(new Error('the TLS listener is not started'));
    const parsed = new URL(url);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        parsed,
        {
          method: 'GET',
          // No agent: with `createConnection` and no agent, Node's client uses that socket.
          headers: { 'user-agent': USER_AGENT },
          createConnection: () => {
            const socket = tlsConnect({
              host: target.host,
              port: target.port,
              servername: parsed.hostname,
              ca: target.caPem,
              ALPNProtocols: ['http/1.1'],
            });
            // The TCP connect fires before the TLS handshake, so the port is known
            // before the listener can read the request.
            socket.once('connect', () => {
              const port = socket.localPort;
              if (port === undefined) return;
              this.ports.set(port, party);
              socket.once('close', () => this.ports.delete(port));
            });
            return socket;
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            if (response.statusCode === 200) resolve(Buffer.concat(chunks));
            else
              reject(
                new Error(`media host answered ${response.statusCode} for ${parsed.pathname}`),
              );
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }
}
