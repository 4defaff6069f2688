/**
 * Offline checks of the synthesized template against what the tutorial builds and docs/reference.md states.
 * Each assertion names the console choice or gateway fact it protects.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { helloApi } from '../../api/routes.ts';
import { OUTPUT_TO_ENV_KEY } from '../deployment-names.ts';
import { synthContractStack, synthVariant } from './synth-contract-stack.ts';

const { stack, template } = synthContractStack();
const poolRef = stack.resolve(stack.userPool.pool.userPoolId);
const poolLogicalId = poolRef.Ref;
const authorizerRef = stack.resolve(stack.restApi.authorizer.authorizerId);

describe('API Gateway', () => {
  test('the authorizer is a Cognito user pool authorizer on the Authorization header of this pool', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [{ 'Fn::GetAtt': [poolLogicalId, 'Arn'] }],
    });
  });

  test('GET /hello requires the authorizer, without OAuth scopes, so ID tokens pass and access tokens do not', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'COGNITO_USER_POOLS',
      AuthorizerId: authorizerRef,
      AuthorizationScopes: Match.absent(),
      Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
    });
  });

  test('the stage is dev, the API is regional, and the gateway responses are the defaults (no CORS)', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'dev' });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    template.resourceCountIs('AWS::ApiGateway::GatewayResponse', 0);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });
});

describe('Cognito user pool', () => {
  test('signs in by e-mail, has MFA off, sends e-mail through Cognito and refuses self sign-up', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      MfaConfiguration: 'OFF',
      EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  test('the app client allows SRP, admin, user-password and refresh flows and has no secret', () => {
    const clients = template.findResources('AWS::Cognito::UserPoolClient');
    const [client, ...others] = Object.values(clients);
    assert.equal(others.length, 0, 'exactly one app client');
    const flows: unknown = client?.Properties.ExplicitAuthFlows;
    assert.ok(Array.isArray(flows));
    assert.deepEqual([...flows].sort(), [
      'ALLOW_ADMIN_USER_PASSWORD_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
      'ALLOW_USER_PASSWORD_AUTH',
      'ALLOW_USER_SRP_AUTH',
    ]);
    assert.equal(client?.Properties.GenerateSecret, false);
  });

  test('the hosted UI uses the implicit grant, every OpenID Connect scope and https://localhost', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['implicit'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: Match.arrayEquals([
        'openid',
        'email',
        'phone',
        'profile',
        'aws.cognito.signin.user.admin',
      ]),
      CallbackURLs: ['https://localhost'],
      LogoutURLs: ['https://localhost'],
      SupportedIdentityProviders: ['COGNITO'],
    });
  });

  test('ID and access tokens last 60 minutes, as the contract expects from ExpiresIn', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes' },
    });
  });

  test('the Cognito domain prefix defaults to one unique per account and can be chosen', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['', [`${helloApi.name}-`, { Ref: 'AWS::AccountId' }]] },
      UserPoolId: poolRef,
    });
    // synthVariant() chose its prefix (qa-team-hello).
    const variant = synthVariant();
    variant.template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: variant.domainPrefix });
  });
});

describe('Lambda', () => {
  test('runs on a Node.js 20 or later runtime with the handler bundled as index.<export>', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: Match.stringLikeRegexp('^nodejs(2\\d|[3-9]\\d)\\.x$'),
      Handler: 'index.handler',
      // The tutorial's Lambda has no configuration; anything here would be a difference from it.
      Environment: Match.absent(),
    });
  });
});

describe('the stack as a whole', () => {
  test('outputs exactly the API URL, region, pool id, client id and hosted UI URL', () => {
    assert.deepEqual(
      Object.keys(template.findOutputs('*')).sort(),
      [...Object.keys(OUTPUT_TO_ENV_KEY), 'HostedUiUrl'].sort(),
    );
    template.hasOutput('Region', { Value: { Ref: 'AWS::Region' } });
    template.hasOutput('UserPoolId', { Value: poolRef });
    template.hasOutput('UserPoolClientId', { Value: stack.resolve(stack.userPool.client.userPoolClientId) });
  });

  test('the API URL is the stage URL without a trailing slash', () => {
    const joined = template.findOutputs('ApiUrl').ApiUrl?.Value['Fn::Join'][1];
    assert.ok(Array.isArray(joined));
    assert.equal(joined[0], 'https://');
    assert.deepEqual(joined.at(-1), stack.resolve(stack.restApi.api.deploymentStage.stageName));
    assert.deepEqual(joined.at(-2), '/');
  });

  test('the hosted UI URL asks for tokens (implicit grant) and returns to https://localhost', () => {
    const joined = template.findOutputs('HostedUiUrl').HostedUiUrl?.Value['Fn::Join'][1];
    const last = joined?.at(-1);
    assert.match(last, /&response_type=token&/);
    assert.match(last, /scope=openid\+email\+phone\+profile\+aws\.cognito\.signin\.user\.admin/);
    assert.match(last, /redirect_uri=https%3A%2F%2Flocalhost$/);
  });

  test('nothing is retained on destroy, so npm run destroy leaves no pool, log group or user behind', () => {
    for (const [id, resource] of Object.entries(template.toJSON().Resources ?? {})) {
      const policy: unknown =
        typeof resource === 'object' && resource !== null
          ? Reflect.get(resource, 'DeletionPolicy')
          : undefined;
      assert.ok(policy === undefined || policy === 'Delete', `${id} has DeletionPolicy ${String(policy)}`);
    }
    template.hasResourceProperties('AWS::Cognito::UserPool', { DeletionProtection: 'INACTIVE' });
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
  });
});
