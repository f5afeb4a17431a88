/**
 * Whether this runtime takes a `ReadableStream` as a request body. A
 * runtime that knows `duplex` reads the option while building the request;
 * one that does not turns the stream into the text "[object ReadableStream]"
 * and so gives the request a text Content-Type. Building a Request sends
 * nothing. Support here still says nothing about the network: Chromium
 * streams only over HTTP/2, which the exchange finds out per origin.
 */
export function canStreamRequestBodies(): boolean {
  if (typeof Request !== 'function' || typeof ReadableStream !== 'function') return false;
  let duplexRead = false;
  const init = {
    method: 'POST',
    body: new ReadableStream(),
    get duplex(): 'half' {
      duplexRead = true;
      return 'half';
    },
  };
  try {
    const request = new Request('https://streaming-check.invalid/', init as RequestInit);
    return duplexRead && !request.headers.has('content-type');
  } catch {
    return false;
  }
}
