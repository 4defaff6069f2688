/**
 * A request body read whole, up to a bound: the gateway's (API Gateway's 10 MB payload limit) and the
 * local Cognito's token endpoint (a small form). Past the bound the rest is read and dropped, so the
 * connection stays usable for the answer that says so.
 */
import type { IncomingMessage } from 'node:http';

export function readBoundedBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > maxBytes ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
