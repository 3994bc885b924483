import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { experimentKey, paramBucketKey, paramBucketOf, paramRowKey, runValuesKey } from '../../shared/storage/keys.ts';
import { paramBucketEntries } from '../../shared/storage/run-items.ts';

/**
 * Turns a run into what versions before bucket rows wrote: its param digests
 * on a row of its own (sort key the run id, `b`, or `x` past 256 params), no
 * run number on its values item, and its experiment without the
 * `paramBuckets` mark (so search reads per-run rows there).
 */
export async function moveToPerRunRow(
  documents: DynamoDBDocumentClient,
  table: string,
  workspace: string,
  experimentId: string,
  runId: string,
) {
  const values = await documents.send(
    new GetCommand({ TableName: table, Key: runValuesKey(workspace, runId), ConsistentRead: true }),
  );
  const runNumber = values.Item?.runNumber as number | undefined;
  if (runNumber === undefined) throw new Error(`run ${runId} has no run number`);
  const bucket = paramBucketKey(workspace, experimentId, paramBucketOf(runNumber).bucket);
  const row = await documents.send(new GetCommand({ TableName: table, Key: bucket, ConsistentRead: true }));
  const names: string[] = [];
  const digests: number[] = [];
  let all = false;
  for (const [name, value] of Object.entries(row.Item ?? {})) {
    for (const entry of paramBucketEntries({ [name]: value })) {
      if (entry.runId !== runId) continue;
      names.push(name);
      if (entry.digests === 'all') all = true;
      else digests.push(...entry.digests);
    }
  }
  if (names.length > 0) {
    await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: bucket,
        UpdateExpression: `REMOVE ${names.map((_, i) => `#n${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#n${i}`, name])),
      }),
    );
    const bytes = new Uint8Array(digests.length * 4);
    digests.forEach((digest, i) => new DataView(bytes.buffer).setUint32(i * 4, digest));
    await documents.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...paramRowKey(workspace, experimentId, runId),
          type: 'ParamRow',
          ...(all ? { x: true } : { b: bytes }),
        },
      }),
    );
  }
  await documents.send(
    new UpdateCommand({ TableName: table, Key: runValuesKey(workspace, runId), UpdateExpression: 'REMOVE runNumber' }),
  );
  await documents.send(
    new UpdateCommand({
      TableName: table,
      Key: experimentKey(workspace, experimentId),
      UpdateExpression: 'REMOVE paramBuckets',
    }),
  );
}
