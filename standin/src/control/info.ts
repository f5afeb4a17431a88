/** Where a running stand-in listens and what a client needs to trust it. */
export interface StandinInfo {
  readonly name: 'pasarela-standin';
  readonly notice: string;
  /**
   * Each served host name (and the `*.whatsapp.net` / `*.whatsapp.com`
   * wildcards) mapped to the TLS listener's `address:port`.
   */
  readonly hostMap: Readonly<Record<string, string>>;
  /** The plain development endpoints on a local address, or null when disabled. */
  readonly plain: { readonly ws: string; readonly http: string } | null;
  readonly controlUrl: string;
  /** The certificate authority's PEM file, inside the stand-in's temp folder. */
  readonly caPath: string;
  /** The stand-in's Noise root public key, base64: the fallback if Baileys checks the chain. */
  readonly noiseRoot: string;
  readonly webHost: string;
  readonly mediaHost: string;
  readonly uploadHosts: readonly string[];
}

export const STANDIN_NOTICE =
  'Local WhatsApp stand-in for tests and the local stack; not WhatsApp and not a service.';
