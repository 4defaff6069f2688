/**
 * The whole system under test in one stack, so `npm run deploy` and `npm run destroy` are one command
 * each. Outputs are named in deployment-names.ts, which the deploy script reads them back by.
 */
import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib/core';
import type { Construct } from 'constructs';
import type { ApiSpec } from '../api/routes.ts';
import type { EnvBackedOutput, HOSTED_UI_OUTPUT } from './deployment-names.ts';
import { RestApiFromSpec } from './rest-api-from-spec.ts';
import { ContractUserPool } from './user-pool.ts';

export interface ContractStackProps extends StackProps {
  readonly spec: ApiSpec;
  readonly repoRoot: string;
  /** Omitted: `<spec name>-<account id>`, unique per account without anyone choosing a name. */
  readonly domainPrefix?: string;
}

export class ContractStack extends Stack {
  readonly userPool: ContractUserPool;
  readonly restApi: RestApiFromSpec;

  constructor(scope: Construct, id: string, props: ContractStackProps) {
    super(scope, id, props);

    this.userPool = new ContractUserPool(this, 'Cognito', {
      domainPrefix: props.domainPrefix ?? `${props.spec.name}-${Aws.ACCOUNT_ID}`,
    });
    this.restApi = new RestApiFromSpec(this, 'Rest', {
      spec: props.spec,
      userPool: this.userPool.pool,
      repoRoot: props.repoRoot,
    });

    const { api } = this.restApi;
    // RestApi adds an unnamed "Endpoint" output of its own; ApiUrl below replaces it, so only the outputs
    // that deployment-names.ts knows remain.
    api.node.tryRemoveChild('Endpoint');
    const outputs: Record<EnvBackedOutput | typeof HOSTED_UI_OUTPUT, string> = {
      // No trailing slash, so `${API_URL}/hello` is the route's URL (RestApi.url ends with '/'). The stage
      // is referenced, not spelled, so the output waits for the stage to exist.
      ApiUrl: `https://${api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${api.deploymentStage.stageName}`,
      Region: Aws.REGION,
      UserPoolId: this.userPool.pool.userPoolId,
      UserPoolClientId: this.userPool.client.userPoolClientId,
      HostedUiUrl: this.userPool.hostedUiUrl(),
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}
