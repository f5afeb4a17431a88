import type { SessionManager } from '../session/index.js';
import type { ServiceMetrics } from '../ops/metrics.js';
import type { EventHub } from './hub.js';

/**
 * Publishes the session manager's events. The QR string never goes into an
 * event: it holds the device's pairing secret, and the event log is kept
 * for days; the event only says a new QR can be fetched.
 */
export function publishSessionEvents(
  manager: SessionManager,
  hub: EventHub,
  metrics?: ServiceMetrics,
): () => void {
  const onTransition: Parameters<typeof manager.on<'transition'>>[1] = (t) => {
    metrics?.transitions.inc({ to: t.to, reason: t.reason });
    void hub.publish('session.status', t.tenant, {
      from: t.from,
      to: t.to,
      reason: t.reason,
      detail: t.detail,
    });
  };
  const onQr: Parameters<typeof manager.on<'qr'>>[1] = (event) => {
    void hub.publish('session.qr', event.tenant, { at: event.at });
  };
  const onPaired: Parameters<typeof manager.on<'paired'>>[1] = (event) => {
    void hub.publish('session.paired', event.tenant, { account: event.account });
  };
  const onAlert: Parameters<typeof manager.on<'alert'>>[1] = (event) => {
    void hub.publish('session.alert', event.tenant, {
      reason: event.reason,
      statusCode: event.statusCode,
      ...(event.message ? { message: event.message } : {}),
    });
  };
  const onLoop: Parameters<typeof manager.on<'loop'>>[1] = (event) => {
    void hub.publish('session.loop', event.tenant, {
      recentReconnects: event.recentReconnects,
      delayMs: event.delayMs,
    });
  };
  manager.on('transition', onTransition);
  manager.on('qr', onQr);
  manager.on('paired', onPaired);
  manager.on('alert', onAlert);
  manager.on('loop', onLoop);
  return () => {
    manager.off('transition', onTransition);
    manager.off('qr', onQr);
    manager.off('paired', onPaired);
    manager.off('alert', onAlert);
    manager.off('loop', onLoop);
  };
}
