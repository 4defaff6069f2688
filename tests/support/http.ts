/**
 * Raw HTTP for gateway tests, on node:http rather than fetch: headers go out exactly as given (an empty
 * Authorization value, duplicates, odd case, oversized values), every request uses its own connection,
 * and the answer keeps its raw header list and body bytes.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Header names lowercased, as node parses them. */
  readonly headers: IncomingHttpHeaders;
  /** Name/value pairs in the order and case they arrived. */
  readonly rawHeaders: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly text: string;
}

export interface RawRequest {
  readonly method?: string;
  /** Name/value pairs sent in this order and case; a name may repeat. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: string;
  readonly timeoutMs?: number;
}

/** Sends one request to `url` (absolute) and resolves with the whole answer, whatever its status. */
export function send(url: string, options: RawRequest = {}): Promise<RawResponse> {
  const target = new URL(url);
  const hasHost = (options.headers ?? []).some(([name]) => name.toLowerCase() === 'host');
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      method: options.method ?? 'GET',
      agent: false,
      // A flat [name, value, name, value, ...] list: node sends it verbatim, duplicates and case kept,
      // and adds no defaults, so Host goes first unless the caller sends its own.
      headers: [
        ...(hasHost ? [] : [['Host', target.host]]),
        ...(options.headers ?? []),
      ].flat() as unknown as Record<string, string>,
      timeout: options.timeoutMs ?? 10_000,
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} in time`)));
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const rawHeaders: [string, string][] = [];
        for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) {
          rawHeaders.push([response.rawHeaders[i] as string, response.rawHeaders[i + 1] as string]);
        }
        const body = Buffer.concat(chunks);
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          rawHeaders,
          body,
          text: body.toString('utf8'),
        });
      });
    });
    request.end(options.body);
  });
}

/** GET `url` with one Authorization header whose value is exactly `value`. */
export function getWithAuthorization(url: string, value: string): Promise<RawResponse> {
  return send(url, { headers: [['Authorization', value]] });
}

/** A loopback port nothing listens on: bound, then released (another program may take it meanwhile). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
