/**
 * SAM and CloudFormation templates read into API descriptions (api/templates.ts): the fixtures' shapes,
 * CloudFormation's short forms, and each defect refused once, naming its JSON path and the fix.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseDescription } from '../../../api/document.ts';
import { choosePool } from '../../../api/pools.ts';
import { type ApiSpec, routeKey, scopesOf } from '../../../api/spec.ts';
import { readCloudFormation, readSam } from '../../../api/templates.ts';
import { UsageError } from '../../../common/cli-error.ts';
import { isRecord } from '../../../common/records.ts';

const source = { path: 'template.yaml', sha256: 'test' };
// biome-ignore lint/suspicious/noExplicitAny: each case edits a fixture freely; the reader under test validates it.
type Editable = Record<string, any>;

function parsed(text: string): Record<string, unknown> {
  const { json } = parseDescription(text, 'template.yaml');
  assert.ok(isRecord(json));
  return json;
}

const fixture = (name: string) =>
  parsed(readFileSync(new URL(`../../fixtures/api/${name}`, import.meta.url), 'utf8'));

function table(api: ApiSpec): string[] {
  return api.routes.map(
    (route) =>
      `${routeKey(route)} ${route.protection.kind}${scopesOf(route).length > 0 ? ` [${scopesOf(route).join(' ')}]` : ''}${route.declaredAs ? ' (ANY)' : ''}`,
  );
}

function refusal(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  assert.fail('the template was accepted');
}

const SAM_HEAD = `Transform: AWS::Serverless-2016-10-31
Resources:
  Pool:
    Type: AWS::Cognito::UserPool
`;

function samFunction(id: string, path: string, auth = ''): string {
  return `  ${id}:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Events:
        Call:
          Type: Api
          Properties:
            Path: ${path}
            Method: get
            RestApiId: !Ref Api
${auth}`;
}

describe('a SAM template', () => {
  it('reads the implicit API: stage Prod, the default authorizer, NONE, per-event scopes', () => {
    const api = readSam(fixture('sam-implicit-api.yaml'), source);
    assert.equal(api.stage, 'Prod');
    assert.deepEqual(table(api), [
      'GET /health none',
      'GET /orders cognito',
      'DELETE /orders/{orderId} cognito [aws.cognito.signin.user.admin]',
    ]);
    assert.equal(api.authorizers[0]?.pools[0]?.key, 'OrdersUserPool');
  });

  it('reads a DefinitionBody with its Cors preflight; a stage from a parameter without a default needs --stage', () => {
    const template = fixture('sam-definition-body.yaml');
    assert.match(
      refusal(() => readSam(template, source)),
      /^The API description template\.yaml Resources\.InvoicesApi\.Properties\.StageName: is Ref Stage, the parameter Stage, which has no Default: pass the stage .* --stage NAME \(or CONTRACT_API_STAGE\)\.$/,
    );
    const api = readSam(template, source, { stage: 'dev' });
    assert.equal(api.stage, 'dev');
    assert.deepEqual(table(api), [
      'GET /invoices cognito',
      'OPTIONS /invoices none',
      'GET /invoices/{invoiceId} cognito',
      'OPTIONS /invoices/{invoiceId} none',
      'GET /status none',
      'OPTIONS /status none',
    ]);
    // A pool ARN only a deployment completes is named as such, with what stands in for it.
    assert.match(
      api.authorizers[0]?.pools[0]?.label ?? '',
      /^Fn::Sub .*complete only when deployed.*COGNITO_USER_POOL_ID/,
    );
  });

  it('keeps AWS_IAM, Lambda authorizers and API keys per event, and guards the preflight with the default', () => {
    const api = readSam(
      parsed(`${SAM_HEAD}  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Cors: "'*'"
      Auth:
        DefaultAuthorizer: Users
        Authorizers:
          Users:
            UserPoolArn: [!GetAtt Pool.Arn, !GetAtt Pool.Arn]
            Identity:
              Header: X-Id-Token
          Partner:
            FunctionArn: !GetAtt PartnerAuth.Arn
            FunctionPayloadType: REQUEST
${samFunction('A', '/a')}${samFunction('B', '/b', '            Auth:\n              Authorizer: AWS_IAM\n')}${samFunction('C', '/c', '            Auth:\n              Authorizer: Partner\n')}${samFunction('D', '/d', '            Auth:\n              Authorizer: NONE\n              ApiKeyRequired: true\n')}`),
      source,
    );
    assert.deepEqual(table(api), [
      'GET /a cognito',
      'OPTIONS /a cognito',
      'GET /b iam',
      'OPTIONS /b cognito',
      'GET /c lambda',
      'OPTIONS /c cognito',
      'GET /d none',
      'OPTIONS /d cognito',
    ]);
    assert.equal(
      api.routes.find((route) => route.path === '/d' && route.method === 'GET')?.apiKeyRequired,
      true,
    );
    assert.deepEqual(
      api.authorizers.map((authorizer) => [
        authorizer.id,
        authorizer.identityHeader,
        authorizer.pools.length,
      ]),
      [['Users', 'X-Id-Token', 2]],
    );
  });

  it('says an unknown authorizer once, however many events name it', () => {
    const message = refusal(() =>
      readSam(
        parsed(`${SAM_HEAD}  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: Missing
${samFunction('A', '/a')}${samFunction('B', '/b')}${samFunction('C', '/c')}`),
        source,
      ),
    );
    assert.match(
      message,
      /^The API description template\.yaml Resources\.Api\.Properties\.Auth\.DefaultAuthorizer: names the authorizer "Missing", which Auth\.Authorizers does not define: define it there, or write NONE or AWS_IAM\.$/,
    );
  });

  it('refuses a body included at deploy time, and a template with several APIs, naming them', () => {
    assert.match(
      refusal(() =>
        readSam(
          parsed(`${SAM_HEAD}  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: s3://bucket/openapi.yaml}
`),
          source,
        ),
      ),
      /DefinitionBody: is included at deploy time .*: pass the included OpenAPI file itself with --api-spec FILE --stage NAME\.$/,
    );
    assert.match(
      refusal(() =>
        readSam(
          parsed(`${SAM_HEAD}  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1}
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E: {Type: Api, Properties: {Path: /x, Method: get}}
`),
          source,
        ),
      ),
      /Resources: defines 2 REST APIs \(Api, ServerlessRestApi\): choose one by its logical id with --api-id ID \(CONTRACT_API_ID\)\.$/,
    );
    const two = parsed(`${SAM_HEAD}  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1}
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E: {Type: Api, Properties: {Path: /x, Method: get}}
`);
    assert.deepEqual(table(readSam(two, source, { apiId: 'ServerlessRestApi' })), ['GET /x none']);
    assert.match(
      refusal(() => readSam(two, source, { apiId: 'Other' })),
      /has no REST API "Other" \(it defines Api, ServerlessRestApi\)/,
    );
  });
});

describe('a CloudFormation template', () => {
  it("follows Resource parents to the root and keeps each method's authorization type", () => {
    const api = readCloudFormation(fixture('pets.cfn.yaml'), source);
    assert.equal(api.stage, 'dev');
    assert.deepEqual(table(api), [
      'GET /admin/{proxy+} iam (ANY)',
      'POST /admin/{proxy+} iam (ANY)',
      'PUT /admin/{proxy+} iam (ANY)',
      'PATCH /admin/{proxy+} iam (ANY)',
      'DELETE /admin/{proxy+} iam (ANY)',
      'HEAD /admin/{proxy+} iam (ANY)',
      'OPTIONS /admin/{proxy+} iam (ANY)',
      'GET /pets cognito',
      'OPTIONS /pets none',
      'GET /pets/{petId} cognito [aws.cognito.signin.user.admin]',
    ]);
    assert.equal(api.authorizers[0]?.resultTtlSeconds, 0);
  });

  it('reads a TOKEN authorizer as a Lambda authorizer and a custom identity source as the header', () => {
    const template: Editable = fixture('pets.cfn.yaml');
    const resources = template.Resources;
    resources.PetsAuthorizer.Properties.IdentitySource = 'method.request.header.X-Pets-Token';
    resources.Gatekeeper = {
      Type: 'AWS::ApiGateway::Authorizer',
      Properties: { RestApiId: { Ref: 'PetsApi' }, Type: 'TOKEN' },
    };
    resources.PetsPreflightMethod.Properties.AuthorizationType = 'CUSTOM';
    resources.PetsPreflightMethod.Properties.AuthorizerId = { Ref: 'Gatekeeper' };
    const api = readCloudFormation(template, source);
    assert.equal(api.authorizers[0]?.identityHeader, 'X-Pets-Token');
    assert.deepEqual(api.routes.find((route) => routeKey(route) === 'OPTIONS /pets')?.protection, {
      kind: 'lambda',
      authorizer: 'Gatekeeper',
    });
  });

  it('names a method whose resource does not lead to the API root', () => {
    const template: Editable = fixture('pets.cfn.yaml');
    template.Resources.ListPetsMethod.Properties.ResourceId = { Ref: 'Nowhere' };
    assert.match(
      refusal(() => readCloudFormation(template, source)),
      /^The API description template\.yaml Resources\.ListPetsMethod\.Properties\.ResourceId: is Ref Nowhere, which does not lead through AWS::ApiGateway::Resource parents to PetsApi's root: correct the template\.$/,
    );
  });
});

describe('templates in the shapes published samples have', () => {
  it('reads a SAM template whose REST API is plain CloudFormation resources, its stage decided by a condition', () => {
    const template: Editable = fixture('sam-plain-restapi.yaml');
    const api = readSam(template, source);
    assert.equal(api.source.kind, 'cloudformation');
    assert.equal(api.stage, 'dev');
    assert.deepEqual(table(api), ['GET / cognito', 'POST /notes cognito', 'OPTIONS /notes none']);
    assert.equal(api.authorizers[0]?.identityHeader, 'authorization');
    template.Parameters.Environment.Default = 'prod';
    assert.equal(readSam(template, source).stage, 'prod');
    delete template.Parameters.Environment.Default;
    assert.match(
      refusal(() => readSam(template, source)),
      /Resources\.NotesStage\.Properties\.StageName: is Fn::If .*the condition IsProduction, decided only when the stack is deployed: /,
    );
  });

  it('reads the only REST API with a Cognito authorizer among several and says so; two such still need --api-id', () => {
    const text = `${SAM_HEAD}  Secured:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: Users
        Authorizers:
          Users: {UserPoolArn: !GetAtt Pool.Arn}
  Open:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Call: {Type: Api, Properties: {Path: /open, Method: get}}
  Mine:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Call: {Type: Api, Properties: {Path: /mine, Method: get, RestApiId: !Ref Secured}}
`;
    const api = readSam(parsed(text), source);
    assert.deepEqual(table(api), ['GET /mine cognito']);
    assert.deepEqual(api.notes, [
      "Read the REST API Secured, the only one of the template's 2 REST APIs (Secured, ServerlessRestApi) with a Cognito user pool authorizer; choose another with --api-id ID (CONTRACT_API_ID).",
    ]);
    assert.deepEqual(table(readSam(parsed(text), source, { apiId: 'ServerlessRestApi' })), [
      'GET /open none',
    ]);
    const twice = `${text}  Other:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        Authorizers:
          Users: {UserPoolArn: !GetAtt Pool.Arn}
`;
    assert.match(
      refusal(() => readSam(parsed(twice), source)),
      /Resources: defines 3 REST APIs \(Secured, Other, ServerlessRestApi\): choose one by its logical id/,
    );
  });

  it('settles Fn::If in a body: a decided condition takes its branch, an undecided one must not change the methods', () => {
    const body = (path: string, uri: string) => ({
      swagger: '2.0',
      info: { title: 'conditional' },
      paths: {
        [path]: {
          get: {
            security: [{ 'Fn::If': ['Secure', { Users: [] }, { Ref: 'AWS::NoValue' }] }],
            'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri },
          },
        },
      },
      securityDefinitions: {
        Users: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          'x-amazon-apigateway-authtype': 'cognito_user_pools',
          'x-amazon-apigateway-authorizer': {
            type: 'cognito_user_pools',
            providerARNs: [{ 'Fn::GetAtt': ['Pool', 'Arn'] }],
          },
        },
      },
    });
    const template = (condition: unknown, secure: boolean, second = '/items'): Editable => ({
      Parameters: { Mode: { Type: 'String', Default: secure ? 'secure' : 'open' } },
      Conditions: { Chosen: condition, Secure: { 'Fn::Equals': [{ Ref: 'Mode' }, 'secure'] } },
      Resources: {
        Pool: { Type: 'AWS::Cognito::UserPool' },
        Api: {
          Type: 'AWS::ApiGateway::RestApi',
          Properties: {
            Body: {
              'Fn::If': ['Chosen', body('/items', 'https://a.example/'), body(second, 'https://b.example/')],
            },
          },
        },
        Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, StageName: 'v1' } },
      },
    });
    const undecided = { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '123456789012'] };
    assert.deepEqual(table(readCloudFormation(template(undecided, true), source)), ['GET /items cognito']);
    assert.deepEqual(table(readCloudFormation(template(undecided, false), source)), ['GET /items none']);
    assert.deepEqual(
      table(readCloudFormation(template({ 'Fn::Not': [{ Condition: 'Secure' }] }, true, '/other'), source)),
      ['GET /other cognito'],
    );
    assert.match(
      refusal(() => readCloudFormation(template(undecided, true, '/other'), source)),
      /^The API description template\.yaml Resources\.Api\.Properties\.Body: is Fn::If on the condition Chosen, which only a deployment decides, and its two branches describe different methods or protections: pass the OpenAPI body the deployed stage uses with --api-spec FILE --stage NAME\.$/,
    );
  });
  it("accepts authorizers that share a user pool (one listing several), and with no pool in common, tests one and leaves the other's methods", () => {
    const text = (second: string) => `${SAM_HEAD}  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: Both
        Authorizers:
          Both: {UserPoolArn: ['arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Staff', 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Users']}
          One: {UserPoolArn: '${second}', Identity: {Header: X-Token}}
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        A: {Type: Api, Properties: {Path: /a, Method: get, RestApiId: !Ref Api}}
        B: {Type: Api, Properties: {Path: /b, Method: get, RestApiId: !Ref Api, Auth: {Authorizer: One}}}
`;
    const api = readSam(
      parsed(text('arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Users')),
      source,
    );
    assert.deepEqual(table(api), ['GET /a cognito', 'GET /b cognito']);
    const split = readSam(
      parsed(text('arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Other')),
      source,
    );
    assert.deepEqual(table(split), ['GET /a cognito', 'GET /b cognito']);
    const choice = choosePool(split);
    assert.equal(choice?.pools.length, 3);
    // A tie (one method each): the pool the description uses first.
    assert.equal(choice?.label, 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Staff');
    assert.deepEqual(
      choice?.left.map((method) => method.route),
      ['GET /b'],
    );
  });
  it("applies SAM's DefaultAuthorizer to DefinitionBody methods that name none, as SAM does, but not to NONE", () => {
    const text = (preflight: boolean) => `${SAM_HEAD}  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: Users
        AddDefaultAuthorizerToCorsPreflight: ${preflight}
        Authorizers:
          Users: {UserPoolArn: !GetAtt Pool.Arn}
          Gate: {FunctionArn: !GetAtt Gate.Arn}
      DefinitionBody:
        swagger: "2.0"
        paths:
          /orders:
            get:
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "https://example.com/orders"}
            post:
              security: [{api_key: []}]
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: POST, uri: "https://example.com/orders"}
            delete:
              security: [{Gate: []}]
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: DELETE, uri: "https://example.com/orders"}
            options:
              x-amazon-apigateway-integration: {type: mock}
          /health:
            get:
              security: [{NONE: []}]
              x-amazon-apigateway-integration: {type: mock}
        securityDefinitions:
          api_key: {type: apiKey, name: x-api-key, in: header}
`;
    const api = readSam(parsed(text(true)), source);
    assert.deepEqual(table(api), [
      'GET /health none',
      'GET /orders cognito',
      'POST /orders cognito',
      'DELETE /orders lambda',
      'OPTIONS /orders cognito',
    ]);
    assert.equal(api.routes.find((route) => route.method === 'POST')?.apiKeyRequired, true);
    assert.ok(table(readSam(parsed(text(false)), source)).includes('OPTIONS /orders none'));
  });
});

describe('a SAM template read as SAM deploys it (samtranslator: each rule checked against its output)', () => {
  const body = (extra: string) => `${SAM_HEAD}  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
${extra}`;
  /** The API's Auth: one Cognito authorizer, Users, the default, with `more` of its properties. */
  const usersByDefault = (more = '') => `      Auth:
        DefaultAuthorizer: Users
        Authorizers:
          Users: {UserPoolArn: !GetAtt Pool.Arn${more}}
`;

  it("gives a body method without its own security SAM's default authorizer, over the document-level requirement", () => {
    // SAM writes the default on the method (set_path_default_authorizer reads the method's security
    // only), and a method's requirement overrides the document's: Cognito, not IAM and Cognito at once.
    const api = readSam(
      parsed(
        body(`${usersByDefault()}      DefinitionBody:
        openapi: 3.0.2
        paths:
          /reviews:
            post:
              x-amazon-apigateway-integration: {type: mock}
          /status:
            get:
              security: [{NONE: []}]
              x-amazon-apigateway-integration: {type: mock}
        components:
          securitySchemes:
            sigv4: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
        security: [{sigv4: []}]
`),
      ),
      source,
    );
    // NONE stays on the method (SAM's output keeps it), so the document's IAM does not reach it either.
    assert.deepEqual(table(api), ['POST /reviews cognito', 'GET /status none']);
  });

  it("requires the API's ApiKeyRequired on every body method and on the preflight, unless AddApiKeyRequiredToCorsPreflight is false", () => {
    const text = (preflight: boolean) =>
      body(`      Cors: "'*'"
      Auth:
        ApiKeyRequired: true
        AddApiKeyRequiredToCorsPreflight: ${preflight}
      DefinitionBody:
        openapi: 3.0.1
        paths:
          /one:
            get:
              x-amazon-apigateway-integration: {type: mock}
`) + samFunction('Fn', '/two');
    const keyed = (api: ApiSpec) =>
      api.routes.map((route) => `${routeKey(route)}${route.apiKeyRequired ? ' +key' : ''}`);
    assert.deepEqual(keyed(readSam(parsed(text(true)), source)), [
      'GET /one +key',
      'OPTIONS /one +key',
      'GET /two +key',
      'OPTIONS /two +key',
    ]);
    assert.deepEqual(keyed(readSam(parsed(text(false)), source)), [
      'GET /one +key',
      'OPTIONS /one',
      'GET /two +key',
      'OPTIONS /two',
    ]);
  });

  it("reads a state machine's Api events as methods of the API, with their authorizer and scopes", () => {
    const api = readSam(
      parsed(
        body(`${usersByDefault(', AuthorizationScopes: [orders/read]')}  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: Done, States: {Done: {Type: Succeed}}}
      Events:
        Start:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /start, Method: post}
        Open:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /open, Method: get, Auth: {Authorizer: NONE}}
`),
      ),
      source,
    );
    assert.deepEqual(table(api), ['GET /open none', 'POST /start cognito [orders/read]']);
    assert.ok(api.routes.every((route) => route.integration === 'AWS'));
  });

  it("takes an event's RestApiId written as the API's plain logical id, as SAM does, and names one that is no API", () => {
    const text = (restApiId: string) =>
      body('') +
      `  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Events:
        Call:
          Type: Api
          Properties: {RestApiId: ${restApiId}, Path: /items, Method: get}
`;
    // Not SAM's implicit ServerlessRestApi beside an API without methods: the one API, with its method.
    const api = readSam(parsed(text('Api')), source);
    assert.deepEqual([api.name, api.stage, table(api)], ['Api', 'v1', ['GET /items none']]);
    assert.equal(
      refusal(() => readSam(parsed(text('Elsewhere')), source)),
      'The API description template.yaml Resources.Fn.Properties.Events.Call.Properties.RestApiId: is "Elsewhere", not a reference to an AWS::Serverless::Api of this template: write !Ref and the logical id of the API the event belongs to, or leave it out for the implicit API.',
    );
  });

  it('refuses an API that no body and no event gives a method, as a CloudFormation one without methods is', () => {
    assert.equal(
      refusal(() => readSam(parsed(body('      EndpointConfiguration: {Type: PRIVATE}\n')), source)),
      'The API description template.yaml Resources.Api.Properties: defines no method: Api has no DefinitionBody and no Api event of a function or state machine names it: give the template that defines its methods.',
    );
  });
});
