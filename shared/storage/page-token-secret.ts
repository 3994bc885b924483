import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { asServiceOutage, callLimitSettings } from './service-outage.ts';

/**
 * Reads the deployment's page-token secret: the value itself (local stack), or
 * the Secrets Manager secret the CDK stack created (one GetSecretValue per
 * container, on its first page token). Secrets Manager being unavailable is a
 * 503 like any other outage; a deployment without either is a configuration
 * error that names the variable.
 */
export async function readPageTokenSecret(
  source: { arn: string } | { value: string } | undefined,
  region: string,
): Promise<string> {
  if (!source) {
    throw new Error('invalid Stratus configuration: STRATUS_PAGE_TOKEN_SECRET_ARN is required for paginated routes');
  }
  if ('value' in source) return source.value;
  const client = new SecretsManagerClient({ region, ...callLimitSettings('secretsmanager') });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: source.arn }));
    if (!SecretString) throw new Error(`the page-token secret ${source.arn} holds no string`);
    return SecretString;
  } catch (error) {
    throw asServiceOutage(error);
  } finally {
    client.destroy();
  }
}
