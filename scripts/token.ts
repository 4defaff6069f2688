/**
 * `npm run token`: sign the test user in and write the Postman environment (see token-helper/cli.ts).
 */
import { runCli } from '../common/cli-error.ts';
import { guardProcess } from '../common/shutdown.ts';
import { tokenCli } from '../token-helper/cli.ts';

// The SDK's multi-line notice about future Node versions would break the one-line error promise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Ctrl-C while the environment file is being written must not leave its temporary file behind.
guardProcess();
await runCli((argv) => tokenCli(argv));
