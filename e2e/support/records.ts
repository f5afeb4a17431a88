import type { RecordsSnapshot, RequestRecord } from '@pasarela/standin';

/** A login of an account as WhatsApp saw it: when, on which connection, from where. */
export interface SeenLogin {
  readonly time: number;
  readonly connection: string;
  readonly address: string;
  readonly origin: string | null;
  readonly userAgent: string | null;
}

const time = (iso: string) => new Date(iso).getTime();

/** The address a request came from (IPv4-mapped forms read as IPv4). */
export function sourceOf(record: RequestRecord): string {
  return record.remoteAddress.replace(/^::ffff:/, '');
}

/** An account's successful logins after `after` (epoch ms), each with its upgrade's source. */
export function loginsOf(records: RecordsSnapshot, phone: string, after = 0): SeenLogin[] {
  return records.logins
    .filter((login) => login.account === phone && login.result === 'success')
    .filter((login) => time(login.time) > after)
    .map((login) => {
      const connection = records.connections.find((c) => c.id === login.connection);
      const upgrade = records.requests.find((r) => r.seq === connection?.requestSeq);
      return {
        time: time(login.time),
        connection: login.connection,
        address: upgrade ? sourceOf(upgrade) : 'unknown',
        origin: upgrade?.origin ?? null,
        userAgent: upgrade?.userAgent ?? null,
      };
    });
}

/** Registrations of an account (a QR or code pairing each), all of them. */
export function registrationsOf(records: RecordsSnapshot, phone: string) {
  return records.registrations.filter((r) => r.account === phone);
}

/** The account's HTTP requests (media both ways) after `afterSeq`. */
export function mediaOf(records: RecordsSnapshot, phone: string, afterSeq = 0): RequestRecord[] {
  return records.requests.filter(
    (r) => r.kind === 'http' && r.account === phone && r.seq > afterSeq && r.party === null,
  );
}

/** Every request from `address` after `afterSeq` (WebSocket upgrades and HTTP). */
export function requestsFrom(
  records: RecordsSnapshot,
  address: string,
  afterSeq = 0,
): RequestRecord[] {
  return records.requests.filter((r) => sourceOf(r) === address && r.seq > afterSeq);
}

/** A short name for what a request was, as the report lists it. */
export function pathKind(record: RequestRecord, records: RecordsSnapshot): string {
  if (record.kind === 'ws') {
    const connection = records.connections.find((c) => c.requestSeq === record.seq);
    // The peer's leg probe opens the WebSocket and closes it before any handshake.
    const probe = connection?.kind === null ? ' (leg probe)' : '';
    return `WebSocket ${record.host}${record.path.split('?')[0]}${probe}`;
  }
  if (record.host === 'web.whatsapp.com') return `${record.method} ${record.host}${record.path}`;
  if (record.method === 'GET' && record.path === '/') return `GET ${record.host}/ (leg probe)`;
  if (record.method === 'POST' && record.path === '/') return `POST ${record.host}/ (leg probe)`;
  if (record.method === 'OPTIONS') return `OPTIONS ${record.host}/mms/… (CORS preflight)`;
  if (record.method === 'POST') return `POST ${record.host}/mms/… (media upload)`;
  return `${record.method} ${record.host}/… (media download)`;
}

/** The worker's word on one direct connection, from its egress audit (`GET /api/egress/audit`). */
export interface AuditEntry {
  readonly at: number;
  readonly tenant: string | null;
  readonly host: string;
  readonly route: string | null;
  readonly reason: string;
  readonly leak: boolean;
}

/**
 * Direct requests the worker cannot account for: a request the stand-in saw
 * from the cloud host is explained when the worker's audit holds a direct
 * connection of that tenant to that host, opened no later than the request,
 * for a reason other than a leak.
 */
export function unexplained(
  requests: readonly RequestRecord[],
  audit: readonly AuditEntry[],
  tenant: string,
): RequestRecord[] {
  return requests.filter(
    (request) =>
      !audit.some(
        (entry) =>
          entry.tenant === tenant &&
          entry.route === 'direct' &&
          !entry.leak &&
          entry.host === request.host &&
          entry.at <= new Date(request.time).getTime(),
      ),
  );
}
