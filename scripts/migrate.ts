import { parseArgs } from 'node:util';
import { createDocumentClient } from '../shared/storage/dynamo-client.ts';
import { migrateChildIndex } from '../shared/storage/child-index-migration.ts';
import { migrateParamRows } from '../shared/storage/param-row-migration.ts';
import { migrateRegistryIndexes } from '../shared/storage/registry-index-migration.ts';
import { migrateRunIoCopies, migrateRunIoMarks } from '../shared/storage/run-io-migration.ts';

/**
 * `npm run migrate -- --table <TableName> [--region r] [--endpoint url]`: brings
 * a table's data up to the current layout, with the deployer's AWS credentials,
 * after a `cdk deploy` of a newer version (docs/deploy.md, "Upgrading"). Today:
 * runs from before param rows get theirs (shared/storage/param-row-migration.ts),
 * and registered models and versions from before the by-update lists join them
 * (shared/storage/registry-index-migration.ts), and runs from before IO marks
 * that have MLflow inputs or outputs are marked (shared/storage/run-io-migration.ts), and child
 * runs from before the child index get their item there (shared/storage/child-index-migration.ts).
 * Idempotent and resumable; safe while the service takes traffic.
 */
const { values } = parseArgs({
  options: {
    table: { type: 'string' },
    region: { type: 'string', default: process.env.AWS_REGION ?? 'us-east-1' },
    endpoint: { type: 'string' },
  },
});
if (!values.table) {
  process.stderr.write('usage: npm run migrate -- --table <TableName> [--region r] [--endpoint url]\n');
  process.exit(2);
}

const client = createDocumentClient({ region: values.region, endpoint: values.endpoint });
const done = await migrateParamRows(client, values.table, (line) => process.stdout.write(`${line}\n`));
process.stdout.write(
  `migrate: param rows: ${done.experiments} experiments migrated (${done.skipped} already were), ${done.runs} runs\n`,
);
const registry = await migrateRegistryIndexes(client, values.table);
process.stdout.write(
  `migrate: registry: ${registry.models} models and ${registry.versions} versions put on their by-update lists\n`,
);
const io = await migrateRunIoMarks(client, values.table, (line) => process.stdout.write(`${line}\n`));
process.stdout.write(
  `migrate: run IO marks: ${io.experiments} experiments migrated (${io.skipped} already were), ${io.runs} runs marked\n`,
);
// After the marks: copies are kept for marked runs.
const copies = await migrateRunIoCopies(client, values.table, (line) => process.stdout.write(`${line}\n`));
process.stdout.write(
  `migrate: run IO copies: ${copies.experiments} experiments migrated (${copies.skipped} already were), ${copies.runs} runs given a copy\n`,
);
const children = await migrateChildIndex(client, values.table, (line) => process.stdout.write(`${line}\n`));
process.stdout.write(
  `migrate: child index: ${children.experiments} experiments migrated (${children.skipped} already were), ${children.runs} child runs indexed\n`,
);
