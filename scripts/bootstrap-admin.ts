import { parseArgs } from 'node:util';
import { systemClock } from '../shared/ids.ts';
import { AccessRepository } from '../shared/storage/access-repository.ts';
import { createDocumentClient } from '../shared/storage/dynamo-client.ts';
import { bootstrapAccess, createToken } from '../shared/use-cases/access.ts';
import { defaultWorkspace } from '../shared/use-cases/deps.ts';

/**
 * After `cdk deploy`: creates the first workspace and its admin token directly in
 * the table, with the deployer's AWS credentials, and prints the token once.
 * `--new-admin-token` mints another admin token for an existing workspace, for
 * an operator who lost theirs.
 */
const { values } = parseArgs({
  options: {
    table: { type: 'string' },
    region: { type: 'string', default: process.env.AWS_REGION ?? 'us-east-1' },
    workspace: { type: 'string', default: defaultWorkspace },
    endpoint: { type: 'string' },
    'new-admin-token': { type: 'boolean', default: false },
  },
});
if (!values.table) {
  process.stderr.write('usage: npx tsx scripts/bootstrap-admin.ts --table <TableName> [--region r] [--workspace w]\n');
  process.exit(2);
}

const client = createDocumentClient({ region: values.region, endpoint: values.endpoint });
const deps = { access: new AccessRepository(client, values.table), clock: systemClock };
const result = await bootstrapAccess({ workspaceId: values.workspace }, deps);
if (result.created) {
  process.stdout.write(`created workspace "${values.workspace}"; its admin token (shown only now):\n${result.token}\n`);
} else if (values['new-admin-token']) {
  const principal = { workspaceId: values.workspace, scope: 'admin' as const, tokenId: 'bootstrap' };
  const created = await createToken(principal, { scope: 'admin', name: 'operator admin token' }, deps);
  process.stdout.write(`new admin token for "${values.workspace}" (shown only now):\n${created.token}\n`);
} else {
  process.stderr.write(
    `workspace "${values.workspace}" already exists; use its admin token, or pass --new-admin-token to mint another\n`,
  );
  process.exit(1);
}
client.destroy();
