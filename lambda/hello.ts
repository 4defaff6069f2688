/**
 * The tutorial's Lambda, unchanged in behaviour: every invocation answers 200 with the JSON string
 * "Hello from Lambda!" (the quotes are part of the body, because the body is JSON.stringify'd).
 *
 * This file is the single source for both targets: the local gateway imports it in-process and the AWS
 * deployment bundles it with esbuild. It must therefore stay dependency-free.
 */
export interface ProxyResult {
  statusCode: number;
  body: string;
}

export const GREETING = 'Hello from Lambda!';

export const handler = async (): Promise<ProxyResult> => ({
  statusCode: 200,
  body: JSON.stringify(GREETING),
});
