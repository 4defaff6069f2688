/**
 * The Cognito side of the tutorial (steps 6, 8 and 9), as code: the pool, its one app client and the
 * hosted UI domain. Settings follow the console choices the tutorial makes, plus the admin sign-in flow
 * the token helper needs so CI never drives a browser.
 */
import {
  AccountRecovery,
  Mfa,
  OAuthScope,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolEmail,
} from 'aws-cdk-lib/aws-cognito';
import { Duration, RemovalPolicy } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';

/** Tutorial step 8: "OpenID Connect scopes: select all options". */
export const OIDC_SCOPES = [
  OAuthScope.OPENID,
  OAuthScope.EMAIL,
  OAuthScope.PHONE,
  OAuthScope.PROFILE,
  OAuthScope.COGNITO_ADMIN,
] as const;

/** Tutorial step 8: callback and sign-out URL. */
export const REDIRECT_URL = 'https://localhost';

/** Cognito's default, stated so a change of default cannot shorten what the contract measures. */
const TOKEN_VALIDITY = Duration.minutes(60);

export interface ContractUserPoolProps {
  /** Prefix of `<prefix>.auth.<region>.amazoncognito.com`; may be a token (e.g. built from the account id). */
  readonly domainPrefix: string;
}

export class ContractUserPool extends Construct {
  readonly pool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;

  constructor(scope: Construct, id: string, props: ContractUserPoolProps) {
    super(scope, id);

    this.pool = new UserPool(this, 'Pool', {
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: Mfa.OFF,
      email: UserPoolEmail.withCognito(),
      // Test users come only from `npm run user` (AdminCreateUser), never from the public sign-up API.
      selfSignUpEnabled: false,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // `npm run destroy` must leave nothing behind; the pool holds only throwaway test users.
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
    });

    this.client = this.pool.addClient('Client', {
      // No secret: the implicit grant runs in a browser, where a secret cannot be kept.
      generateSecret: false,
      // CDK adds ALLOW_REFRESH_TOKEN_AUTH whenever any flow is listed; the template test pins all four.
      // SRP as a console-created client has it (the token helper's default tries it first), plus the two
      // password flows the CI job and QA's Postman sign-in may choose.
      authFlows: { userSrp: true, adminUserPassword: true, userPassword: true },
      oAuth: {
        flows: { implicitCodeGrant: true },
        scopes: [...OIDC_SCOPES],
        callbackUrls: [REDIRECT_URL],
        logoutUrls: [REDIRECT_URL],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      idTokenValidity: TOKEN_VALIDITY,
      accessTokenValidity: TOKEN_VALIDITY,
      // The console's default for new clients; it decides which error an unknown user gets.
      preventUserExistenceErrors: true,
    });

    this.domain = this.pool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
  }

  /** The tutorial's "View Hosted UI" link: implicit grant, so `response_type=token`. */
  hostedUiUrl(): string {
    const scope = OIDC_SCOPES.map((s) => s.scopeName).join('+');
    const redirect = encodeURIComponent(REDIRECT_URL);
    return `${this.domain.baseUrl()}/login?client_id=${this.client.userPoolClientId}&response_type=token&scope=${scope}&redirect_uri=${redirect}`;
  }
}
