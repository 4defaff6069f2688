/**
 * The throughput baseline: a bare node:http server answering every request with the Lambda's body
 * (`"Hello from Lambda!"`, application/json), nothing else. Run as its own process so that it does not
 * share an event loop with the load generator, exactly like the gateway it is compared with. Prints
 * `listening <url>` once ready and runs until killed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify('Hello from Lambda!');
const server = createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening http://127.0.0.1:${port}/dev/hello\n`);
});
// Stop with the bench even if it dies without killing us.
process.on('disconnect', () => process.exit(0));
