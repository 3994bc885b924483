import { parseArgs } from 'node:util';
import { systemClock } from '../shared/ids.ts';
import { AccessRepository } from '../shared/storage/access-repository.ts';
import { createDocumentClient } from '../shared/storage/dynamo-client.ts';
import { bootstrapAccess, createToken } from '../shared/use-cases/access.ts';
import { defaultWorkspace } from '../shared/use-cases/deps.ts';

/**
 * After `cdk deploy`: creates the first workspace and its operator token (admin
 * of that workspace, and the only scope that may create and list workspaces)
 * directly in the table, with the deployer's AWS credentials, and prints the
 * token once. For an existing workspace, `--new-operator-token` mints another
 * operator token (an operator who lost theirs, or a deployment from before
 * operator scope), `--new-admin-token` another admin token of that workspace.
 */
const { values } = parseArgs({
  options: {
    table: { type: 'string' },
    region: { type: 'string', default: process.env.AWS_REGION ?? 'us-east-1' },
    workspace: { type: 'string', default: defaultWorkspace },
    endpoint: { type: 'string' },
    'new-admin-token': { type: 'boolean', default: false },
    'new-operator-token': { type: 'boolean', default: false },
  },
});
if (!values.table) {
  process.stderr.write('usage: npx tsx scripts/bootstrap-admin.ts --table <TableName> [--region r] [--workspace w]\n');
  process.exit(2);
}

const client = createDocumentClient({ region: values.region, endpoint: values.endpoint });
const deps = { access: new AccessRepository(client, values.table), clock: systemClock };
const result = await bootstrapAccess({ workspaceId: values.workspace }, deps);
const mint = values['new-operator-token'] ? 'operator' : values['new-admin-token'] ? 'admin' : undefined;
if (result.created) {
  process.stdout.write(
    `created workspace "${values.workspace}"; its operator token (shown only now):\n${result.token}\n`,
  );
} else if (mint) {
  // The deployer's AWS credentials stand for the operator here.
  const principal = { workspaceId: values.workspace, scope: 'operator' as const, tokenId: 'bootstrap' };
  const created = await createToken(principal, { scope: mint, name: `${mint} token from bootstrap-admin` }, deps);
  process.stdout.write(`new ${mint} token for "${values.workspace}" (shown only now):\n${created.token}\n`);
} else {
  process.stderr.write(
    `workspace "${values.workspace}" already exists; use its operator token, or pass --new-operator-token ` +
      '(or --new-admin-token) to mint another\n',
  );
  process.exit(1);
}
client.destroy();
