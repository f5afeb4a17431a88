import type { PageSignals } from './runtime.js';

export type PageWake = 'focus' | 'visible' | 'online';

/**
 * Calls `wake` when the page comes back: focus, visibility or the network.
 * A tab that sat hidden may have a dead socket or retries that ran out long
 * ago (F7); these events are the moment to look again, not a timer, which a
 * hidden tab runs at most once a minute. Returns the function that stops
 * watching.
 */
export function watchPage(page: PageSignals, wake: (cause: PageWake) => void): () => void {
  const onFocus = (): void => wake('focus');
  const onOnline = (): void => wake('online');
  const onVisibility = (): void => {
    if (page.document.visibilityState === 'visible') wake('visible');
  };
  page.window.addEventListener('focus', onFocus);
  page.window.addEventListener('online', onOnline);
  page.document.addEventListener('visibilitychange', onVisibility);
  return () => {
    page.window.removeEventListener('focus', onFocus);
    page.window.removeEventListener('online', onOnline);
    page.document.removeEventListener('visibilitychange', onVisibility);
  };
}
