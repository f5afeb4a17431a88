declare namespace Cloudflare {
  interface Env {
    BROKER: Fetcher;
    TOKEN_KEYS: string;
    BROKER_CONFIG: string;
  }
}
