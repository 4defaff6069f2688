/**
 * The attacker's web server, on loopback, for local runs: it serves the attacker's key set (for the jku
 * row, and under any issuer path for the issuer-discovery rows) and certificate (for the x5u row), so that an authorizer which fetches keys from a URL in the
 * token really gets the attacker's key, and the clause proves it is refused anyway. It binds 127.0.0.1
 * only and is stopped with the run.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attackerKey } from './attacker-key.ts';

const ATTACKER_JWKS_PATH = '/.well-known/jwks.json';
const ATTACKER_CERTIFICATE_PATH = '/attacker.pem';

export interface AttackerServer {
  readonly jwksUrl: string;
  readonly certificateUrl: string;
  stop(): Promise<void>;
}

export async function startAttackerServer(): Promise<AttackerServer> {
  const key = attackerKey();
  const jwks = JSON.stringify(key.jwks);
  const server: Server = createServer((request, response) => {
    // Any path ending in the well-known name: an issuer on this server (`<origin>/<pool id>`) has its
    // key set at `${iss}/.well-known/jwks.json`, which is where issuer discovery looks.
    if (request.url?.endsWith(ATTACKER_JWKS_PATH)) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    } else if (request.url === ATTACKER_CERTIFICATE_PATH) {
      response.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(key.certificatePem);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    jwksUrl: `${origin}${ATTACKER_JWKS_PATH}`,
    certificateUrl: `${origin}${ATTACKER_CERTIFICATE_PATH}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
