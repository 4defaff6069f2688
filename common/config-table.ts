/**
 * Every setting a command reads from its environment, in one table: its variable, its flag, its
 * default, whether it is a secret, and what it means. Commands read their settings here, at the edge,
 * and hand the core typed values; `.env.example` is generated from this table (`npm run docs`), and a
 * unit test (tests/unit/common/config-table.test.ts) fails on a `process.env` read of a variable the
 * table does not declare, and on an entry nothing reads.
 *
 * One rule for every variable: set to the empty string is the same as unset (the blank lines of
 * `.env.example` copied into `.env` mean "not given"). A flag, where there is one, wins over the
 * variable. Secrets have no flag: a flag would leak into shell history and `ps`.
 */

interface Common {
  /** What the setting means, as the comment above it in `.env.example` (one line per entry). */
  readonly description: readonly string[];
  /** The value when unset, as a user would write it; undefined when there is none. */
  readonly default?: string;
  /** Written into `.env.example`; false for the launcher's and tools' own switches. */
  readonly envExample: boolean;
}

/** A secret has no flag, and that is a type error rather than a convention. */
export type ConfigEntry =
  | (Common & { readonly secret: true; readonly flag?: never })
  | (Common & { readonly secret: false; readonly flag?: string });

export const CONFIG_TABLE = {
  CONTRACT_TARGET: {
    secret: false,
    flag: 'target',
    default: 'local',
    envExample: true,
    description: [
      'Which system: local (the embedded stack, the default) or aws (the deployment).',
      'For local, a running `npm run stack` supplies every key below; this file is then not consulted for',
      'them (set them in the shell to override one).',
    ],
  },
  API_URL: {
    secret: false,
    flag: 'api-url',
    envExample: true,
    description: [
      'The stage invoke URL, no trailing slash: https://<api-id>.execute-api.<region>.amazonaws.com/<stage>',
    ],
  },
  AWS_REGION: {
    secret: false,
    flag: 'region',
    envExample: true,
    description: ['Region of the user pool, e.g. us-east-1.'],
  },
  COGNITO_USER_POOL_ID: {
    secret: false,
    flag: 'user-pool-id',
    envExample: true,
    description: ['User pool id, e.g. us-east-1_AbCdEf123 (console: Cognito, User pools, Overview).'],
  },
  COGNITO_CLIENT_ID: {
    secret: false,
    flag: 'client-id',
    envExample: true,
    description: [
      'App client id (console: App integration, App clients). A console-created client (ALLOW_USER_SRP_AUTH and',
      'ALLOW_REFRESH_TOKEN_AUTH) works as it is: see CONTRACT_AUTH_FLOW below.',
    ],
  },
  COGNITO_CLIENT_SECRET: {
    secret: true,
    envExample: true,
    description: [
      "Optional: the app client's secret, only if it has one (SECRET_HASH is then sent with every sign-in).",
    ],
  },
  COGNITO_ENDPOINT: {
    secret: false,
    flag: 'cognito-endpoint',
    envExample: true,
    description: [
      'Optional: a Cognito endpoint override, for an emulator such as cognito-local (http://127.0.0.1:9229).',
      'Leave empty for AWS. With a loopback endpoint no AWS credentials are needed; otherwise the admin flows',
      "(admin-password, admin-srp) use the AWS SDK's usual chain (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,",
      'SSO), because AdminInitiateAuth is signed with IAM credentials (cognito-idp:AdminInitiateAuth on the pool).',
    ],
  },
  CONTRACT_USERNAME: {
    secret: false,
    flag: 'username',
    envExample: true,
    description: [
      'The test user (npm run stack: the local user, default contract-tester; npm run user: an e-mail address).',
    ],
  },
  CONTRACT_PASSWORD: {
    secret: true,
    envExample: true,
    description: ["The test user's password (npm run stack: random when unset)."],
  },
  COGNITO_REFRESH_ROTATION: {
    secret: false,
    envExample: true,
    description: [
      'Optional: whether the app client rotates refresh tokens (enabled or disabled); empty: refresh',
      'through REFRESH_TOKEN_AUTH and, only if Cognito refuses it, ask DescribeUserPoolClient. A rotating',
      'client refreshes through GetTokensFromRefreshToken.',
    ],
  },
  CONTRACT_AUTH_FLOW: {
    secret: false,
    flag: 'auth-flow',
    default: 'auto',
    envExample: true,
    description: [
      'Optional: how to sign in. Each needs its setting on the app client (console: App clients,',
      'Edit, Authentication flows):',
      '  auto            the default: against AWS srp first, then admin-password; against a loopback emulator the',
      "                  other way round (the local stack's client allows both, and admin-password is faster)",
      '  srp             USER_SRP_AUTH through the public InitiateAuth: ALLOW_USER_SRP_AUTH, no AWS credentials',
      '                  (what a console-created client allows; the password never leaves this machine)',
      '  admin-srp       USER_SRP_AUTH through AdminInitiateAuth: ALLOW_USER_SRP_AUTH and IAM credentials',
      '  admin-password  ADMIN_USER_PASSWORD_AUTH: ALLOW_ADMIN_USER_PASSWORD_AUTH and IAM credentials',
      '  password        USER_PASSWORD_AUTH through the public InitiateAuth: ALLOW_USER_PASSWORD_AUTH',
      'Whatever the flow, a saved refresh token is tried first (REFRESH_TOKEN_AUTH: ALLOW_REFRESH_TOKEN_AUTH).',
    ],
  },
  CONTRACT_NEW_PASSWORD: {
    secret: true,
    envExample: true,
    description: [
      'Optional: for a user an administrator created (status FORCE_CHANGE_PASSWORD), the permanent password',
      'to set when Cognito asks for NEW_PASSWORD_REQUIRED. After that first run, move it to CONTRACT_PASSWORD.',
    ],
  },
  CONTRACT_API_SPEC: {
    secret: false,
    flag: 'api-spec',
    envExample: true,
    description: [
      'Optional (npm run contract, npm run stack): generate the contract from an API description instead of',
      'api/routes.ts: an API Gateway export (OpenAPI 3 or Swagger 2, JSON or YAML), a SAM or',
      'CloudFormation template (cdk synth output).',
    ],
  },
  CONTRACT_API_STAGE: {
    secret: false,
    flag: 'stage',
    envExample: true,
    description: [
      'Optional (npm run contract, npm run stack, npm run collection): the stage, for an API description that',
      'names none (a SAM DefinitionBody, an export without servers).',
    ],
  },
  CONTRACT_API_ID: {
    secret: false,
    flag: 'api-id',
    envExample: true,
    description: [
      "Optional: the REST API's logical id, in a SAM or CloudFormation template that defines several.",
    ],
  },
  CONTRACT_ALLOW_UNPROTECTED: {
    secret: false,
    envExample: true,
    description: [
      'Optional: methods that are public on purpose, comma-separated as the description writes them, e.g.',
      '"OPTIONS /items, GET /health" (a CORS preflight, a health check). Any other method without the',
      'Cognito authorizer fails the run (its authorizer-coverage clause); an entry the description does not',
      'have is refused (exit 2).',
    ],
  },
  CONTRACT_REFUSAL_HEADERS: {
    secret: false,
    flag: 'refusal-headers',
    envExample: true,
    description: [
      "Optional: headers a refusal may carry beyond API Gateway's own (a deployment's CORS or customised",
      'gateway responses), comma-separated; settled before the collection is generated. Empty: none.',
    ],
  },
  CONTRACT_SLOWDOWN_FACTOR: {
    secret: false,
    flag: 'slowdown-factor',
    default: '10',
    envExample: true,
    description: [
      'Optional: a refusal takes at most this many times the slowest accepted answer, plus the margin.',
    ],
  },
  CONTRACT_SLOWDOWN_MARGIN_MS: {
    secret: false,
    flag: 'slowdown-margin-ms',
    default: '2500',
    envExample: true,
    description: ['Optional: the margin of that bound, in milliseconds.'],
  },
  CONTRACT_STRICT: {
    secret: false,
    flag: 'strict',
    envExample: true,
    description: [
      'Optional: also assert these open facts of docs/reference.md (comma-separated ids, or all), as the',
      "project's guess; the collection is then generated with them. Empty: none.",
    ],
  },
  CONTRACT_MATRIX: {
    secret: false,
    flag: 'matrix',
    default: 'planned',
    envExample: true,
    description: [
      'Optional: planned (the default): the whole attack catalogue once per authorizer configuration and a',
      'fixed sample on the other methods behind it; full: the whole catalogue on every protected method.',
    ],
  },
  CONTRACT_POOL: {
    secret: false,
    flag: 'pool',
    envExample: true,
    description: [
      "Optional: when the API description's authorizers name several user pools, the one a run signs in to",
      "and tests (its ARN, its id, the file's reference, or an authorizer's name); default: the pool that",
      "protects the most methods. The other pools' methods are skipped, each saying which pool tests it.",
    ],
  },
  CONTRACT_OAUTH_TOKEN_URL: {
    secret: false,
    envExample: true,
    description: [
      "Optional: an access token carrying the API's custom OAuth scopes, for methods with authorizationScopes",
      '(no user sign-in yields one). The client_credentials grant of a confidential app client: one with a',
      'secret, allowed the client_credentials grant and the scopes (console: App clients, Login pages). The',
      "token endpoint is your user pool domain's /oauth2/token. Empty: scoped methods' acceptance clauses are",
      'skipped, with why. The local stack makes its own client.',
    ],
  },
  CONTRACT_OAUTH_CLIENT_ID: {
    secret: false,
    envExample: true,
    description: ['The confidential app client of the client_credentials grant above.'],
  },
  CONTRACT_OAUTH_CLIENT_SECRET: {
    secret: true,
    envExample: true,
    description: ["That app client's secret."],
  },
  CONTRACT_OAUTH_SCOPES: {
    secret: false,
    envExample: true,
    description: ['Space-separated, e.g. "shop-api/reports.read"; empty: every scope the client is allowed.'],
  },
  LOCAL_API_PORT: {
    secret: false,
    default: '3000',
    envExample: true,
    description: [
      "Optional (npm run stack): the local API Gateway's port on 127.0.0.1; 0 picks a free port.",
    ],
  },
  LOCAL_COGNITO_PORT: {
    secret: false,
    default: '9229',
    envExample: true,
    description: ["Optional (npm run stack): the local Cognito's port on 127.0.0.1; 0 picks a free port."],
  },
  COGNITO_DOMAIN_PREFIX: {
    secret: false,
    envExample: true,
    description: [
      'Optional (npm run deploy): the Cognito domain prefix; default hello-api-<account id> (infra/README.md).',
    ],
  },
  CONTRACT_RUNTIME_HOPS: {
    secret: false,
    envExample: false,
    description: [
      "timeout: keep postman-runtime's own 0 ms timer hops instead of setImmediate (contract-runner/runtime-hops.ts).",
    ],
  },
  BENCH_MAX_RSS_FILE: {
    secret: false,
    envExample: false,
    description: ['Set by npm run bench for its children: the file each writes its peak RSS to.'],
  },
  COGNITO_LOCAL_DEBUG: {
    secret: false,
    envExample: false,
    description: ["Any value: the embedded emulator's (cognito-local's) debug log on stderr."],
  },
  RUN_TS_BUILD: {
    secret: false,
    envExample: false,
    description: [
      '1: common/run-ts.mjs runs the compiled .build/ copy even on a Node that strips types itself.',
    ],
  },
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: {
    secret: false,
    default: 'true',
    envExample: false,
    description: ["The AWS SDK's own switch: the commands set it, so its Node-version notice stays off."],
  },
} as const satisfies Record<string, ConfigEntry>;

export type ConfigName = keyof typeof CONFIG_TABLE;

/** An environment: process.env, or a test's own record. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The variable as written, the empty string included (for messages that say "is empty"). */
export function rawConfigValue(env: Env, name: ConfigName): string | undefined {
  return env[name];
}

/** The variable by the one rule: the empty string is unset. */
export function configValue(env: Env, name: ConfigName): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** The flag's value if given, otherwise the variable's (by the same rule). */
export function flagOrEnv(flagValue: string | undefined, env: Env, name: ConfigName): string | undefined {
  return flagValue ?? configValue(env, name);
}

/** The process's environment: the one place commands take it from. */
export function processEnv(): Env {
  return process.env;
}

/** `.env.example`, generated from the table (`npm run docs` writes it, `--check` compares it). */
export function envExample(): string {
  const lines = [
    '# Settings for `npm run token`, `npm run contract`, `npm run stack`, `npm run user` and `npm run deploy`.',
    '# Copy to .env (gitignored) and fill in. Variables already set in the shell win over this file; flags',
    "# win over both. An empty value is the same as unset. Never commit .env: it holds the test user's password.",
    '# Generated from common/config-table.ts by `npm run docs`: edit the table, not this file.',
  ];
  for (const [name, entry] of Object.entries(CONFIG_TABLE) as [ConfigName, ConfigEntry][]) {
    if (!entry.envExample) continue;
    const notes = [
      ...(entry.flag === undefined ? [] : [`flag --${entry.flag}`]),
      ...(entry.default === undefined ? [] : [`default ${entry.default}`]),
      ...(entry.secret ? ['a secret: no flag, never printed'] : []),
    ];
    lines.push('', ...entry.description.map((line) => `# ${line}`));
    if (notes.length > 0) lines.push(`# (${notes.join('; ')})`);
    lines.push(`${name}=`);
  }
  return `${lines.join('\n')}\n`;
}
