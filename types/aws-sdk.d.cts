/**
 * For the type check only (tsconfig.typecheck.json maps the bare specifier `aws-sdk` here). The
 * declarations we load use the whole SDK v2 in three places, all through cognito-local:
 * `import { KMS } from 'aws-sdk'` in @aws-crypto/kms-keyring-node, `import type { Lambda } from
 * "aws-sdk"` in its services/lambda.d.ts, and the global `AWS.Lambda` / `AWS.KMS` namespaces (the
 * SDK's `export as namespace AWS`) in its server/config.d.ts; amazon-cognito-identity-js (a dev
 * dependency) names `AWS.CognitoIdentityServiceProvider` the same way. The SDK's index declares all of its ~400
 * clients: about 930,000 of the check's 1,060,000 lines of declarations, 2–3 s of CPU to parse and
 * bind on every `npm run typecheck`. This gives those uses the same three clients from the same package,
 * under the same global name, and nothing else; tests/unit/typecheck-stub.test.ts fails when a declaration we load names an SDK v2 client this does not give.
 */
import KMS = require('aws-sdk/clients/kms');
import Lambda = require('aws-sdk/clients/lambda');
import CognitoIdentityServiceProvider = require('aws-sdk/clients/cognitoidentityserviceprovider');

export { CognitoIdentityServiceProvider, KMS, Lambda };
export as namespace AWS;
