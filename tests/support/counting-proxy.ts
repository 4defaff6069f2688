/**
 * An HTTP proxy on a free loopback port that forwards everything to `upstream` and counts Cognito calls
 * by their X-Amz-Target, and every call by its path: the way to prove how many sign-ins the collection
 * really made, and how often it went to the OAuth token endpoint (`/oauth2/token`, no X-Amz-Target).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  /** e.g. http://127.0.0.1:41234/ */
  readonly url: string;
  count(target: string): number;
  /** How often each of these Cognito operations (e.g. "InitiateAuth") was called, leaving out the uncalled. */
  calls(operations: readonly string[]): Record<string, number>;
  /** How many requests went to this path (e.g. "/oauth2/token"), whatever their target. */
  pathCount(path: string): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const paths = new Map<string, number>();
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    counts.set(target, (counts.get(target) ?? 0) + 1);
    const path = new URL(request.url ?? '/', 'http://proxy').pathname;
    paths.set(path, (paths.get(path) ?? 0) + 1);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers.set(name, value);
    }
    try {
      const answer = await fetch(new URL(request.url ?? '/', upstream), {
        method: request.method ?? 'GET',
        headers,
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      });
      const body = Buffer.from(await answer.arrayBuffer());
      response.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
      });
      response.end(body);
    } catch {
      response.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    count: (target) => counts.get(target) ?? 0,
    calls: (operations) => {
      const counted: Record<string, number> = {};
      for (const name of operations) {
        const n = counts.get(`AWSCognitoIdentityProviderService.${name}`) ?? 0;
        if (n > 0) counted[name] = n;
      }
      return counted;
    },
    pathCount: (path) => paths.get(path) ?? 0,
    reset: () => {
      counts.clear();
      paths.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
