import { describe, expect, it } from 'vitest';
import { ProtocolError } from '@pasarela/shared';
import { classifyFetchFailure, originAnswers } from '../src/peer/index.js';
import type { FetchLike } from '../src/peer/index.js';

const reachable = async () => true;
const unreachable = async () => false;
const never = async (): Promise<boolean> => {
  throw new Error('the origin must not be asked');
};

describe('classifying a failed fetch', () => {
  it.each([
    [
      'a TypeError from a host that answers no-cors',
      new TypeError('Failed to fetch'),
      null,
      reachable,
      'browser_cors',
    ],
    [
      'a TypeError from a host that does not answer',
      new TypeError('Failed to fetch'),
      null,
      unreachable,
      'browser_network',
    ],
    [
      'any failure after the deadline passed',
      new TypeError('aborted'),
      'deadline',
      never,
      'upstream_timeout',
    ],
    [
      'a coded protocol failure',
      new ProtocolError('body_too_large'),
      null,
      never,
      'body_too_large',
    ],
    ['a stop after the worker reset the stream', new Error('aborted'), 'worker-reset', never, null],
    ['a stop after the room socket was lost', new Error('aborted'), 'link-lost', never, null],
  ] as const)('%s is %s', async (_what, error, cause, answers, expected) => {
    expect(await classifyFetchFailure(error, cause, answers)).toBe(expected);
  });
});

describe('asking whether an origin answers', () => {
  it('makes one credential-less no-cors GET of the origin root, following redirects', async () => {
    const calls: [string, RequestInit][] = [];
    const fetch: FetchLike = async (url, init) => {
      calls.push([url, init]);
      return new Response(null, { status: 200 });
    };
    const answered = await originAnswers(
      fetch,
      new URL('https://mmg.whatsapp.net/d/f/x.enc?auth=secret'),
      new AbortController().signal,
    );
    expect(answered).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[0]).toBe('https://mmg.whatsapp.net/');
    expect(calls[0]?.[1]).toMatchObject({
      method: 'GET',
      mode: 'no-cors',
      credentials: 'omit',
      redirect: 'follow',
    });
    expect(calls[0]?.[1].body).toBeUndefined();
  });

  it('says no when even the no-cors request fails', async () => {
    const fetch: FetchLike = async () => {
      throw new TypeError('Failed to fetch');
    };
    const answered = await originAnswers(
      fetch,
      new URL('https://mmg.whatsapp.net/'),
      new AbortController().signal,
    );
    expect(answered).toBe(false);
  });
});
