import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { contentLength, forwardableHeaders } from '../classify.js';
import { ExchangeDeadline } from '../deadline.js';
import type { EgressDeadlines } from '../defaults.js';
import { EgressError } from '../errors.js';
import type { HttpExchange } from '../exchange.js';
import { describeTarget, targetName } from '../target.js';
import { kExchange } from './agents.js';
import type { AttemptOptions } from './agents.js';
import { isReady } from './connect.js';

export interface DirectHttpAgents {
  readonly https: https.Agent;
  http(): http.Agent;
}

/**
 * Sends one HTTP exchange direct: the request head and body as the client
 * sent them (hop-by-hop fields aside), the response back the same way,
 * both streamed with backpressure, under one deadline for the whole
 * exchange. Failures reach the client as coded errors on its connection.
 */
export function forwardHttpDirect(
  exchange: HttpExchange,
  agents: DirectHttpAgents,
  deadlines: EgressDeadlines,
): void {
  const { request, response, target, body } = exchange;
  const where = describeTarget(target, exchange.path);
  const context = { host: targetName(target), leg: exchange.leg };
  const deadline = new ExchangeDeadline(deadlines, () => {
    const budget = Math.round(deadline.expiresAt - started);
    exchange.fail(
      new EgressError('upstream_timeout', `${where} did not finish within ${budget} ms`, context),
    );
  });
  const started = Date.now();
  exchange.onFail(() => deadline.clear());
  const declared = contentLength(request.rawHeaders);
  if (declared !== undefined) deadline.declare(declared);
  body.on('data', (chunk: Buffer) => {
    deadline.moved(chunk.length);
    exchange.sent(chunk.length);
  });

  let responseStarted = false;
  const bodyless = declared === 0 || (declared === undefined && !hasChunkedBody(request));
  const send = (attempt: number): void => {
    const options: https.RequestOptions & AttemptOptions = {
      agent: target.protocol === 'https:' ? agents.https : agents.http(),
      host: target.host,
      port: target.port,
      servername: target.servername,
      method: request.method,
      path: exchange.path,
      headers: forwardableHeaders(request.rawHeaders) as unknown as http.OutgoingHttpHeaders,
      [kExchange]: exchange,
    };
    const upstream = (target.protocol === 'https:' ? https : http).request(options);
    exchange.onFail(() => upstream.destroy());

    upstream.on('error', (error) => {
      if (exchange.settled) return;
      // A pooled connection the server closed while idle fails on first
      // use; a request without a body that got nothing back is sent once
      // more on a fresh connection (Node documents `reusedSocket` for it).
      if (upstream.reusedSocket && !responseStarted && bodyless && exchange.replaySafe) {
        if (attempt === 0) {
          send(1);
          return;
        }
      }
      exchange.fail(directError(error, exchange, isReady(upstream.socket), responseStarted));
    });

    upstream.on('response', (reply: IncomingMessage) => {
      responseStarted = true;
      exchange.status = reply.statusCode ?? null;
      const length = contentLength(reply.rawHeaders);
      if (length !== undefined) deadline.declare(length);
      response.writeHead(
        reply.statusCode ?? 502,
        reply.statusMessage,
        forwardableHeaders(reply.rawHeaders),
      );
      reply.on('data', (chunk: Buffer) => {
        deadline.moved(chunk.length);
        exchange.received(chunk.length);
      });
      reply.on('close', () => {
        if (!reply.complete && !exchange.settled) {
          exchange.fail(
            new EgressError('upstream_reset', `${where} closed during the response body`, context),
          );
        }
      });
      reply.pipe(response);
    });

    if (attempt === 0) body.pipe(upstream);
    else upstream.end();
  };

  response.sendDate = false;
  response.on('finish', () => {
    deadline.clear();
    exchange.finish();
  });
  // The client went away (a cancelled body, an aborted request).
  response.on('close', () => {
    if (!response.writableFinished) exchange.abandon();
  });
  send(0);
}

function hasChunkedBody(request: IncomingMessage): boolean {
  return /chunked/i.test(request.headers['transfer-encoding'] ?? '');
}

/** Names a failure of the direct connection by what had happened so far. */
export function directError(
  error: Error,
  exchange: HttpExchange,
  connected: boolean,
  responseStarted: boolean,
): EgressError {
  if (error instanceof EgressError) return error;
  const where = describeTarget(exchange.target, exchange.path);
  const reason = (error as NodeJS.ErrnoException).code ?? error.message;
  const context = { host: targetName(exchange.target), leg: exchange.leg, reason };
  if (!connected) {
    return new EgressError(
      'upstream_unreachable',
      `cannot connect to ${where} (${reason})`,
      context,
      { cause: error },
    );
  }
  if (!responseStarted && !exchange.replaySafe) {
    return new EgressError(
      'outcome_unknown',
      `${where} broke after the request was sent (${reason})`,
      context,
      { cause: error },
    );
  }
  return new EgressError('upstream_reset', `${where} broke (${reason})`, context, {
    cause: error,
  });
}
