import type { Inspection, RoomListing } from '@pasarela/broker';

/** A refusal or failure of the room's admin routes, with the catalogue code it carried. */
export class InspectionError extends Error {
  override readonly name = 'InspectionError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * The room's admin routes. The token goes in the Authorization header,
 * never in a URL, so no server log or browser history keeps it.
 */
export class InspectionClient {
  readonly #origin: string;
  readonly #token: string;
  readonly #fetch: FetchLike;

  constructor(origin: string, token: string, fetchImpl: FetchLike = (i, init) => fetch(i, init)) {
    this.#origin = origin.replace(/\/+$/, '');
    this.#token = token;
    this.#fetch = fetchImpl;
  }

  async rooms(): Promise<RoomListing[]> {
    const body = (await this.#get('/admin/rooms')) as { rooms: RoomListing[] };
    return body.rooms;
  }

  inspect(tenant: string): Promise<Inspection> {
    return this.#get(`/admin/rooms/${encodeURIComponent(tenant)}`) as Promise<Inspection>;
  }

  async #get(path: string): Promise<unknown> {
    let response: Response;
    try {
      response = await this.#fetch(this.#origin + path, {
        headers: { authorization: `Bearer ${this.#token}` },
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch (error) {
      throw new InspectionError('unreachable', 0, `the room at ${this.#origin} did not answer`);
    }
    const body = (await response.json().catch(() => null)) as {
      error?: { code?: string; message?: string };
    } | null;
    if (!response.ok) {
      throw new InspectionError(
        body?.error?.code ?? `http_${response.status}`,
        response.status,
        body?.error?.message ?? response.statusText,
      );
    }
    return body;
  }
}
