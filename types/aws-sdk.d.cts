/**
 * For the type check only (tsconfig.typecheck.json maps the bare specifier `aws-sdk` here): the one
 * import of the whole SDK v2 in the declarations we load is `import { KMS } from 'aws-sdk'` in
 * @aws-crypto/kms-keyring-node (through cognito-local's services/crypto.d.ts). The SDK's index
 * declares all of its ~400 clients: about 930,000 of the check's 1,060,000 lines of declarations,
 * 2–3 s of CPU to parse and bind on every `npm run typecheck`. This gives that import the same KMS
 * client from the same package, and nothing else.
 */
import KMS = require('aws-sdk/clients/kms');

export { KMS };
