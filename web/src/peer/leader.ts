/**
 * Leader election between the tabs of one browser (one origin, one
 * profile) with the Web Locks API: the tab that holds the lock carries the
 * tenant's traffic, the others wait in the lock's queue. The browser
 * releases a lock when its tab closes, crashes or is discarded, and grants
 * it to the next tab in the queue at once, so no timer or heartbeat between
 * tabs is needed (timers of hidden tabs fire at most once a minute).
 */

/** The part of `navigator.locks` the election uses. */
export interface LockManagerLike {
  request(
    name: string,
    options: { mode?: 'exclusive'; ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<void>,
  ): Promise<unknown>;
}

export type ElectionRole = 'leader' | 'standby';

export interface Election {
  /** Leaves the election: a leader releases the lock, a waiting tab leaves the queue. */
  release(): void;
}

/** `navigator.locks` where the page has it (secure contexts only), or null. */
export function browserLocks(): LockManagerLike | null {
  const scope = globalThis as { navigator?: { locks?: LockManagerLike } };
  return scope.navigator?.locks ?? null;
}

/**
 * Joins the election for `name`. `onRole` hears `standby` once if another
 * tab leads when this one joins, and `leader` once the lock is granted.
 * `onError` hears a failure of the lock manager other than `release()`.
 */
export function electLeader(
  locks: LockManagerLike,
  name: string,
  onRole: (role: ElectionRole) => void,
  onError: (error: unknown) => void,
): Election {
  const leaving = new AbortController();
  let resign: () => void = () => undefined;
  const resigned = new Promise<void>((resolve) => {
    resign = resolve;
  });
  const lead = async (): Promise<void> => {
    if (leaving.signal.aborted) return;
    onRole('leader');
    await resigned;
  };
  const run = async (): Promise<void> => {
    let granted = false;
    // First without queueing, to learn at once whether another tab leads.
    await locks.request(name, { mode: 'exclusive', ifAvailable: true }, async (lock) => {
      if (lock === null) return;
      granted = true;
      await lead();
    });
    if (granted || leaving.signal.aborted) return;
    onRole('standby');
    await locks.request(name, { mode: 'exclusive', signal: leaving.signal }, lead);
  };
  run().catch((error: unknown) => {
    if (!leaving.signal.aborted) onError(error);
  });
  return {
    release() {
      leaving.abort();
      resign();
    },
  };
}
