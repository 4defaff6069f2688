/**
 * cognito-local's router with the sign-in paths it lacks or gets wrong, in front of its own targets
 * (docs/reference.md §6 and §11):
 * - USER_SRP_AUTH through InitiateAuth and AdminInitiateAuth, and the PASSWORD_VERIFIER answer through
 *   RespondToAuthChallenge and AdminRespondToAuthChallenge (which cognito-local does not have at all),
 *   with NEW_PASSWORD_REQUIRED after it for a user in FORCE_CHANGE_PASSWORD;
 * - the app client's ExplicitAuthFlows for the flows the suite uses (cognito-local ignores them), so
 *   that a client shaped like a console-created one refuses the password flows as AWS does;
 * - SECRET_HASH on the SRP calls when the client has a secret;
 * - the choice-based USER_AUTH flow with PREFERRED_CHALLENGE PASSWORD or PASSWORD_SRP (ALLOW_USER_AUTH);
 * - refresh-token rotation: an app client's RefreshTokenRotation (Create/Update/DescribeUserPoolClient),
 *   GetTokensFromRefreshToken, which rotates the refresh token when it is ENABLED (the old one then
 *   refused with RefreshTokenReuseException after the grace period), and REFRESH_TOKEN_AUTH refused for
 *   such a client, as AWS documents ("Refresh token rotation must be completed with
 *   GetTokensFromRefreshToken"; the wording of that refusal is a guess).
 * Tokens always come from cognito-local's own token generator, so an SRP sign-in yields exactly the
 * tokens its other sign-ins do. Everything else goes to cognito-local untouched.
 */
import { createHmac, randomUUID } from 'node:crypto';
import {
  CognitoError,
  InvalidParameterError,
  NotAuthorizedError,
  PasswordResetRequiredError,
  UserNotConfirmedException,
} from 'cognito-local/lib/errors.js';
import type { Route, Router } from 'cognito-local/lib/server/Router.js';
import type { AppClient } from 'cognito-local/lib/services/appClient.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { Services } from 'cognito-local/lib/services/index.js';
import {
  attributesToRecord,
  type User,
  type UserPoolService,
} from 'cognito-local/lib/services/userPoolService.js';
import { SrpServer } from './srp-server.ts';

type Request = Readonly<Record<string, unknown>>;

/** What a client created without ExplicitAuthFlows allows (the API's default). */
const DEFAULT_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
/** Pre-2019 names of the same settings. */
const LEGACY_FLOWS: Readonly<Record<string, string>> = {
  ADMIN_NO_SRP_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  USER_PASSWORD_AUTH: 'ALLOW_USER_PASSWORD_AUTH',
  CUSTOM_AUTH_FLOW_ONLY: 'ALLOW_CUSTOM_AUTH',
};
/** AuthFlow -> the app-client setting that must be on. */
const REQUIRED_FLAG: Readonly<Record<string, string>> = {
  ADMIN_USER_PASSWORD_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  ADMIN_NO_SRP_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  USER_PASSWORD_AUTH: 'ALLOW_USER_PASSWORD_AUTH',
  USER_SRP_AUTH: 'ALLOW_USER_SRP_AUTH',
  REFRESH_TOKEN_AUTH: 'ALLOW_REFRESH_TOKEN_AUTH',
  REFRESH_TOKEN: 'ALLOW_REFRESH_TOKEN_AUTH',
  USER_AUTH: 'ALLOW_USER_AUTH',
};

/** An app client's RefreshTokenRotation as CreateUserPoolClient takes it and DescribeUserPoolClient gives it. */
interface Rotation {
  readonly Feature: 'ENABLED' | 'DISABLED';
  readonly RetryGracePeriodSeconds: number;
}

function rotationFrom(value: unknown): Rotation | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { Feature, RetryGracePeriodSeconds } = value as Record<string, unknown>;
  if (Feature !== 'ENABLED' && Feature !== 'DISABLED') {
    throw new InvalidParameterError('RefreshTokenRotation.Feature must be ENABLED or DISABLED');
  }
  const grace = RetryGracePeriodSeconds ?? 0;
  if (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0 || grace > 60) {
    throw new InvalidParameterError('RefreshTokenRotation.RetryGracePeriodSeconds must be 0 to 60');
  }
  return { Feature, RetryGracePeriodSeconds: grace };
}

function allowedFlows(client: Pick<AppClient, 'ExplicitAuthFlows'>): ReadonlySet<string> {
  const flows = client.ExplicitAuthFlows ?? [];
  return new Set(flows.length === 0 ? DEFAULT_FLOWS : flows.map((flow) => LEGACY_FLOWS[flow] ?? flow));
}

function text(request: Request, ...path: string[]): string | undefined {
  let current: unknown = request;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' ? current : undefined;
}

export function authRouter(services: Services, inner: Router, srp: SrpServer = new SrpServer()): Router {
  // cognito-local keeps no RefreshTokenRotation: kept here, per app client, for this emulator's life.
  const rotations = new Map<string, Rotation>();
  // Refresh tokens rotated out: when each stops being accepted (the end of its grace period).
  const retired = new Map<string, number>();
  const rotates = (clientId: string) => rotations.get(clientId)?.Feature === 'ENABLED';

  const appClientFor = async (ctx: Context, request: Request): Promise<AppClient> => {
    const clientId = text(request, 'ClientId') ?? '';
    const client = await services.cognito.getAppClient(ctx, clientId);
    // Real Cognito's answer for an unknown client id (cognito-local's is a bare NotAuthorized).
    if (client === null)
      throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    return client;
  };

  const requireFlow = (client: AppClient, authFlow: string): void => {
    const flag = REQUIRED_FLAG[authFlow];
    if (flag === undefined || allowedFlows(client).has(flag)) return;
    // Real Cognito's wording for the admin flow is documented; for the others it is a close guess
    // that keeps "flow not enabled for this client" in it.
    throw new InvalidParameterError(
      authFlow.startsWith('ADMIN_')
        ? 'Auth flow not enabled for this client'
        : `${authFlow} flow not enabled for this client`,
    );
  };

  const requireSecretHash = (client: AppClient, username: string, given: string | undefined): void => {
    if (client.ClientSecret === undefined) return;
    if (given === undefined || given === '') {
      throw new NotAuthorizedError(
        `Client ${client.ClientId} is configured for secret but secret was not received`,
      );
    }
    // SECRET_HASH = Base64(HMAC-SHA256(key = client secret, message = username + client id)).
    const expected = createHmac('sha256', client.ClientSecret)
      .update(`${username}${client.ClientId}`)
      .digest('base64');
    if (given !== expected) {
      throw new NotAuthorizedError(`Unable to verify secret hash for client ${client.ClientId}`);
    }
  };

  const initiateSrp = async (ctx: Context, request: Request, client: AppClient): Promise<unknown> => {
    const username = text(request, 'AuthParameters', 'USERNAME');
    const srpA = text(request, 'AuthParameters', 'SRP_A');
    if (!username || !srpA) throw new InvalidParameterError('Missing required parameter USERNAME or SRP_A');
    requireSecretHash(client, username, text(request, 'AuthParameters', 'SECRET_HASH'));
    const pool = await services.cognito.getUserPoolForClientId(ctx, client.ClientId);
    const user = await pool.getUserByUsername(ctx, username);
    if (user === null) throw new NotAuthorizedError('Incorrect username or password.');
    const parameters = srp.challenge(
      {
        userPoolId: client.UserPoolId,
        clientId: client.ClientId,
        userId: user.Username,
        password: user.Password,
      },
      srpA,
    );
    if (parameters === undefined) throw new InvalidParameterError('SRP_A is not a valid SRP public value');
    return { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: parameters };
  };

  const answerVerifier = async (ctx: Context, request: Request, client: AppClient): Promise<unknown> => {
    const responses = request.ChallengeResponses;
    if (typeof responses !== 'object' || responses === null) {
      throw new InvalidParameterError('Missing required parameter ChallengeResponses');
    }
    const responseRecord = responses as Readonly<Record<string, unknown>>;
    const username = typeof responseRecord.USERNAME === 'string' ? responseRecord.USERNAME : '';
    requireSecretHash(client, username, text(request, 'ChallengeResponses', 'SECRET_HASH'));
    const outcome = srp.verify(client.ClientId, responseRecord);
    if ('refused' in outcome) {
      if (outcome.refused === 'bad-timestamp') {
        throw new InvalidParameterError(
          'TIMESTAMP is not in the format "ddd MMM d HH:mm:ss UTC yyyy" or too far off',
        );
      }
      throw new NotAuthorizedError('Incorrect username or password.');
    }
    const pool = await services.cognito.getUserPoolForClientId(ctx, client.ClientId);
    const user = await pool.getUserByUsername(ctx, outcome.user.userId);
    if (user === null || user.Password !== outcome.user.password) {
      throw new NotAuthorizedError('Incorrect username or password.');
    }
    if (!user.Enabled) throw new NotAuthorizedError('User is disabled.');
    if (user.UserStatus === 'UNCONFIRMED') throw new UserNotConfirmedException();
    if (user.UserStatus === 'RESET_REQUIRED') throw new PasswordResetRequiredError();
    if (user.UserStatus === 'FORCE_CHANGE_PASSWORD') {
      return {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        ChallengeParameters: {
          USER_ID_FOR_SRP: user.Username,
          requiredAttributes: '[]',
          userAttributes: JSON.stringify(attributesToRecord(user.Attributes)),
        },
        Session: randomUUID(),
      };
    }
    return { ChallengeParameters: {}, AuthenticationResult: await issueTokens(ctx, pool, user, client) };
  };

  /** Tokens from cognito-local's own generator, with the user's groups, as its other sign-ins make them. */
  const generateTokens = async (
    ctx: Context,
    pool: UserPoolService,
    user: User,
    client: AppClient,
    source: 'Authentication' | 'RefreshTokens',
  ) => {
    const groups = await pool.listUserGroupMembership(ctx, user);
    return services.tokenGenerator.generate(ctx, user, groups, client, undefined, source);
  };

  const issueTokens = async (ctx: Context, pool: UserPoolService, user: User, client: AppClient) => {
    const tokens = await generateTokens(ctx, pool, user, client, 'Authentication');
    await pool.storeRefreshToken(ctx, tokens.RefreshToken, user);
    return tokens;
  };

  /** cognito-local answers NEW_PASSWORD_REQUIRED but never stores the refresh token it hands out. */
  const newPassword = async (ctx: Context, request: Request, client: AppClient): Promise<unknown> => {
    const answer: unknown = await inner('RespondToAuthChallenge')(ctx, request);
    const refreshToken = text(answer as Request, 'AuthenticationResult', 'RefreshToken');
    const username = text(request, 'ChallengeResponses', 'USERNAME');
    if (refreshToken !== undefined && username !== undefined) {
      const pool = await services.cognito.getUserPoolForClientId(ctx, client.ClientId);
      const user = await pool.getUserByUsername(ctx, username);
      if (user !== null) await pool.storeRefreshToken(ctx, refreshToken, user);
    }
    return answer;
  };

  /** USER_AUTH: the challenge the client prefers, PASSWORD (tokens at once) or PASSWORD_SRP. */
  const initiateUserAuth = async (ctx: Context, request: Request, client: AppClient): Promise<unknown> => {
    const preferred = text(request, 'AuthParameters', 'PREFERRED_CHALLENGE');
    const parameters = (request.AuthParameters ?? {}) as Readonly<Record<string, unknown>>;
    const { PREFERRED_CHALLENGE: _preferred, ...rest } = parameters;
    if (preferred === 'PASSWORD') {
      if (!text(request, 'AuthParameters', 'PASSWORD')) {
        throw new InvalidParameterError('Missing required parameter PASSWORD');
      }
      // The password check, tokens and refresh-token storage of cognito-local's own password flow.
      return inner('InitiateAuth')(ctx, { ...request, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: rest });
    }
    if (preferred === 'PASSWORD_SRP') {
      const challenge = await initiateSrp(ctx, { ...request, AuthParameters: rest }, client);
      return { ...(challenge as Record<string, unknown>), Session: randomUUID() };
    }
    if (preferred !== undefined) {
      throw new InvalidParameterError(
        `PREFERRED_CHALLENGE ${preferred} is not available here: use PASSWORD or PASSWORD_SRP`,
      );
    }
    return {
      ChallengeName: 'SELECT_CHALLENGE',
      AvailableChallenges: ['PASSWORD', 'PASSWORD_SRP'],
      ChallengeParameters: {},
      Session: randomUUID(),
    };
  };

  /** GetTokensFromRefreshToken: new ID and access tokens, and a new refresh token when the client rotates. */
  const tokensFromRefresh = async (ctx: Context, request: Request): Promise<unknown> => {
    const client = await appClientFor(ctx, request);
    requireFlow(client, 'REFRESH_TOKEN_AUTH');
    if (client.ClientSecret !== undefined && text(request, 'ClientSecret') !== client.ClientSecret) {
      throw new NotAuthorizedError(`Unable to verify secret hash for client ${client.ClientId}`);
    }
    const refreshToken = text(request, 'RefreshToken');
    if (!refreshToken) throw new InvalidParameterError('Missing required parameter RefreshToken');
    const pool = await services.cognito.getUserPoolForClientId(ctx, client.ClientId);
    const retiredUntil = retired.get(refreshToken);
    if (retiredUntil !== undefined && Date.now() >= retiredUntil) {
      throw new CognitoError(
        'RefreshTokenReuseException',
        'The refresh token has been invalidated by refresh token rotation.',
      );
    }
    const user = await pool.getUserByRefreshToken(ctx, refreshToken);
    if (user === null) throw new NotAuthorizedError('Invalid Refresh Token');
    if (!user.Enabled) throw new NotAuthorizedError('User is disabled.');
    const tokens = await generateTokens(ctx, pool, user, client, 'RefreshTokens');
    const rotation = rotations.get(client.ClientId);
    const rotating = rotation?.Feature === 'ENABLED';
    if (rotating) {
      // Rotation: the new refresh token is stored; the old one stays valid for the grace period only,
      // counted from its first rotation (reusing it within that period must not push the end back).
      if (!retired.has(refreshToken)) {
        retired.set(refreshToken, Date.now() + rotation.RetryGracePeriodSeconds * 1000);
      }
      await pool.storeRefreshToken(ctx, tokens.RefreshToken, user);
    }
    return {
      AuthenticationResult: {
        IdToken: tokens.IdToken,
        AccessToken: tokens.AccessToken,
        ...(rotating ? { RefreshToken: tokens.RefreshToken } : {}),
        ExpiresIn: 3600,
        TokenType: 'Bearer',
      },
    };
  };

  /** Create/Update/DescribeUserPoolClient with the RefreshTokenRotation cognito-local does not keep. */
  const withRotation =
    (target: string): Route =>
    async (ctx, request: Request) => {
      const rotation =
        target === 'DescribeUserPoolClient' ? undefined : rotationFrom(request.RefreshTokenRotation);
      const { RefreshTokenRotation: _dropped, ...forwarded } = request;
      const answer = (await inner(target)(ctx, forwarded)) as Record<string, unknown>;
      const described = (answer.UserPoolClient ?? {}) as Record<string, unknown>;
      const clientId =
        typeof described.ClientId === 'string' ? described.ClientId : text(request, 'ClientId');
      if (clientId === undefined) return answer;
      if (rotation !== undefined) rotations.set(clientId, rotation);
      const kept = rotations.get(clientId) ?? { Feature: 'DISABLED', RetryGracePeriodSeconds: 0 };
      return { ...answer, UserPoolClient: { ...described, RefreshTokenRotation: kept } };
    };

  return (target: string): Route => {
    switch (target) {
      case 'InitiateAuth':
      case 'AdminInitiateAuth':
        return async (ctx, request: Request) => {
          const client = await appClientFor(ctx, request);
          const authFlow = text(request, 'AuthFlow') ?? '';
          requireFlow(client, authFlow);
          if (authFlow === 'USER_SRP_AUTH') return initiateSrp(ctx, request, client);
          if (authFlow === 'USER_AUTH' && target === 'InitiateAuth')
            return initiateUserAuth(ctx, request, client);
          if (
            (authFlow === 'REFRESH_TOKEN_AUTH' || authFlow === 'REFRESH_TOKEN') &&
            rotates(client.ClientId)
          ) {
            throw new InvalidParameterError(
              'Refresh token rotation is enabled for this client: refresh with GetTokensFromRefreshToken',
            );
          }
          return inner(target)(ctx, request);
        };
      case 'GetTokensFromRefreshToken':
        return tokensFromRefresh;
      case 'CreateUserPoolClient':
      case 'UpdateUserPoolClient':
      case 'DescribeUserPoolClient':
        return withRotation(target);
      case 'RespondToAuthChallenge':
      case 'AdminRespondToAuthChallenge':
        return async (ctx, request: Request) => {
          const client = await appClientFor(ctx, request);
          const challenge = text(request, 'ChallengeName');
          if (challenge === 'PASSWORD_VERIFIER') return answerVerifier(ctx, request, client);
          if (challenge === 'NEW_PASSWORD_REQUIRED') return newPassword(ctx, request, client);
          return inner('RespondToAuthChallenge')(ctx, request);
        };
      default:
        return inner(target);
    }
  };
}
