import { isProtocolError } from '@pasarela/shared';
import type { LegState, Legs } from '@pasarela/shared';
import { classifyFetchFailure, failureMessage, originAnswers } from './classify.js';
import type { HttpProbe, PeerConfig, WebSocketProbe } from './config.js';
import { pageRequestHeaders } from './headers.js';
import type { WebSocketLike } from './runtime.js';
import { assertTargetKind, resolveTarget } from './targets.js';
import type { ResolvedTarget } from './targets.js';

export const UNPROBED_LEGS: Legs = Object.freeze({
  websocket: { status: 'unprobed' },
  download: { status: 'unprobed' },
  upload: { status: 'unprobed' },
});

const MAX_REASON = 1_024;

/** Failures the same probe may not meet again: the network, a deadline. Not CORS, not refusals. */
const PASSING_FAILURE = /^(browser_network|upstream_timeout):/;

/** Whether a leg is unavailable for a failure that a later probe may not meet. */
export function worthProbingAgain(legs: Legs): boolean {
  return Object.values(legs).some(
    (leg: LegState) => leg.status === 'unavailable' && PASSING_FAILURE.test(leg.reason ?? ''),
  );
}

function unavailable(reason: string): LegState {
  return { status: 'unavailable', reason: reason.slice(0, MAX_REASON) };
}

function target(url: string, kind: 'http' | 'websocket', config: PeerConfig): ResolvedTarget {
  const resolved = resolveTarget(url, config.devHosts);
  assertTargetKind(resolved, kind);
  return resolved;
}

/** Opens the probe WebSocket and closes it as soon as it opens: nothing is sent. */
export function probeWebSocket(probe: WebSocketProbe, config: PeerConfig): Promise<LegState> {
  let resolved: ResolvedTarget;
  try {
    resolved = target(probe.url, 'websocket', config);
  } catch (error) {
    return Promise.resolve(unavailable(isProtocolError(error) ? error.message : String(error)));
  }
  return new Promise((resolve) => {
    let socket: WebSocketLike;
    try {
      socket = new config.WebSocket(resolved.effective.href);
    } catch {
      resolve(unavailable(`upstream_refused: the page could not open a WebSocket`));
      return;
    }
    const settle = (state: LegState): void => {
      clearTimeout(timer);
      socket.removeEventListener('open', onOpen);
      socket.removeEventListener('close', onClose);
      resolve(state);
    };
    const onOpen = (): void => {
      settle({ status: 'ok' });
      socket.close(1000, '');
    };
    const onClose = (): void =>
      settle(
        unavailable(
          `upstream_refused: ${resolved.host} refused the upgrade or could not be reached; ` +
            `it may refuse this page's Origin`,
        ),
      );
    const timer = setTimeout(() => {
      settle(unavailable(`upstream_timeout: no upgrade within ${config.probeTimeoutMs} ms`));
      try {
        socket.close(1000, '');
      } catch {
        // Already closing.
      }
    }, config.probeTimeoutMs);
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('error', () => undefined);
    socket.addEventListener('open', onOpen);
    socket.addEventListener('close', onClose);
  });
}

/**
 * One request as a page would make it for that leg. Any answer the page may
 * read (a 404 included) proves the leg; a CORS refusal or a network failure
 * is told apart as for relayed exchanges.
 */
export async function probeHttp(probe: HttpProbe, config: PeerConfig): Promise<LegState> {
  let resolved: ResolvedTarget;
  try {
    resolved = target(probe.url, 'http', config);
  } catch (error) {
    return unavailable(isProtocolError(error) ? error.message : String(error));
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('probe timed out'));
  }, config.probeTimeoutMs);
  const method = probe.method.toUpperCase();
  try {
    const response = await config.fetch(resolved.effective.href, {
      method,
      headers: new Headers(pageRequestHeaders(probe.headers).headers),
      body: method === 'GET' || method === 'HEAD' ? null : new Uint8Array(0),
      credentials: 'omit',
      redirect: 'manual',
      mode: 'cors',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      signal: controller.signal,
    });
    await response.body?.cancel().catch(() => undefined);
    return { status: 'ok' };
  } catch (error) {
    const code = await classifyFetchFailure(error, timedOut ? 'deadline' : null, () =>
      originAnswers(config.fetch, resolved.effective, controller.signal),
    );
    const named = timedOut ? 'upstream_timeout' : (code ?? 'browser_network');
    return unavailable(`${named}: ${failureMessage(named, resolved.host)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Probes every configured leg at once; a leg without a probe stays `unprobed`. */
export async function probeLegs(config: PeerConfig): Promise<Legs> {
  const { websocket, download, upload } = config.probes;
  const [socketLeg, downloadLeg, uploadLeg] = await Promise.all([
    websocket ? probeWebSocket(websocket, config) : UNPROBED_LEGS.websocket,
    download ? probeHttp(download, config) : UNPROBED_LEGS.download,
    upload ? probeHttp(upload, config) : UNPROBED_LEGS.upload,
  ]);
  return { websocket: socketLeg, download: downloadLeg, upload: uploadLeg };
}
