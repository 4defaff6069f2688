/**
 * A stand-in for Cognito's JSON 1.1 API on a free loopback port: answers each X-Amz-Target with what
 * the test scripts (an AuthenticationResult, an error with `__type`, or nothing at all to simulate a
 * hung server) and counts the calls. For CLI tests that need Cognito answers the emulator cannot give.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeAnswer =
  | { readonly status: 200; readonly body: unknown }
  | { readonly status: number; readonly type: string; readonly message: string }
  | { readonly hang: true };

export interface FakeCognito {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  readonly endpoint: string;
  answer(target: string, answer: FakeAnswer): void;
  count(target: string): number;
  close(): Promise<void>;
}

export async function startFakeCognito(): Promise<FakeCognito> {
  const answers = new Map<string, FakeAnswer>();
  const counts = new Map<string, number>();
  const hung = new Set<ServerResponse>();
  const server = createServer(async (request, response) => {
    for await (const _chunk of request) {
      // drain the body; the fake does not look at it
    }
    const target =
      String(request.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    counts.set(target, (counts.get(target) ?? 0) + 1);
    const answer = answers.get(target) ?? {
      status: 400,
      type: 'UnknownOperationException',
      message: 'unscripted',
    };
    if ('hang' in answer) {
      hung.add(response);
      return;
    }
    const body = 'body' in answer ? answer.body : { __type: answer.type, message: answer.message };
    response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    answer: (target, answer) => answers.set(target, answer),
    count: (target) => counts.get(target) ?? 0,
    close: () =>
      new Promise((resolve, reject) => {
        for (const response of hung) response.destroy();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
