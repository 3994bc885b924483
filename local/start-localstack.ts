import { localStackCredentials, startLocalStackServer } from './localstack.ts';

/**
 * `npm run start:localstack`: LocalStack's S3 and DynamoDB on the host
 * (docs/localstack.md), then `npm start` pointed at them. LocalStack keeps its
 * data only while it runs; it stops when Stratus does.
 */
const portSetting = process.env.STRATUS_LOCALSTACK_PORT ?? '4566';
const port = Number(portSetting);
// As npm start checks its settings: one line naming the variable, before LocalStack is started on a bad port.
if (!/^\d+$/.test(portSetting) || port < 1 || port > 65535) {
  process.stderr.write('STRATUS_LOCALSTACK_PORT: must be a whole number from 1 to 65535\n');
  process.exit(2);
}
process.stderr.write(`starting LocalStack (S3, DynamoDB) on 127.0.0.1:${port}\n`);
const localStack = await startLocalStackServer({ port });
process.stderr.write(`LocalStack is serving at ${localStack.endpoint}\n`);
process.env.STRATUS_DYNAMODB_ENDPOINT = localStack.endpoint;
process.env.STRATUS_S3_ENDPOINT = localStack.endpoint;
process.env.AWS_ACCESS_KEY_ID = localStackCredentials.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = localStackCredentials.secretAccessKey;
await import('./start.ts');
