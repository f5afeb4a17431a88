/** Every default of the stand-in, in one place. Options override these. */
export const STANDIN_DEFAULTS = {
  /** The TLS listener (HTTP/2 and HTTP/1.1) that serves every WhatsApp host name by SNI/Host. */
  tlsHost: '127.0.0.1',
  tlsPort: 0,
  /** Plain ws/http listener for a person trying the local stack in a browser (development). */
  plainHost: '127.0.0.1',
  plainPort: 0,
  /** The control API (JSON over HTTP). */
  controlHost: '127.0.0.1',
  controlPort: 0,

  /** The WebSocket and version-file host Baileys uses. */
  webHost: 'web.whatsapp.com',
  /** Baileys' fixed download host for records without a URL (`DEF_MEDIA_HOST`). */
  mediaHost: 'mmg.whatsapp.net',
  /**
   * Upload hosts announced in `media_conn`, in order. The first name is invented (the real
   * service announces regional hosts); the second is the fixed download host.
   */
  uploadHosts: ['media.fstandin-1.fna.whatsapp.net', 'mmg.whatsapp.net'] as readonly string[],

  /** The web client revision the version file announces (Baileys rc14 ships 1043857760). */
  clientRevision: 1043857760,

  /** QR refs handed out per registration, and their lifetimes on Baileys' own schedule. */
  qrRefCount: 6,
  qrFirstRefMs: 60_000,
  qrNextRefMs: 20_000,

  /** How long the phone waits for the companion's reply to pair-success. */
  pairingReplyTimeoutMs: 15_000,
  /**
   * After a stream error or login failure, how long the client may take to close the socket
   * itself before the stand-in closes it. Closing at once races Baileys' asynchronous frame
   * decoding, so the client could see a bare close (428) instead of the code.
   */
  streamErrorGraceMs: 3_000,
  /** Send `ib/edge_routing` after a login, so the next connection's intro carries routing. */
  sendEdgeRouting: true,

  mediaConnTtlSeconds: 300,
  mediaAuthTtlSeconds: 21_600,
  maxUploadBytes: 100 * 1024 * 1024,
  /** Bytes of encrypted media kept in memory before uploads are refused. */
  mediaStoreBytes: 1024 * 1024 * 1024,

  /** Largest control API body: a contact's image travels in it as base64. */
  controlBodyBytes: 32 * 1024 * 1024,

  /** Request records kept; older ones are dropped and counted. */
  recordLimit: 20_000,

  caValidityDays: 30,
  /** Prefix of the temp folder holding the CA PEM. */
  tmpPrefix: 'pasarela-standin-',
} as const;

export type StandinDefaults = typeof STANDIN_DEFAULTS;
