import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailedItem } from './dynamo-errors.ts';
import { entityTypes, paramRowKey } from './keys.ts';
import { paramRowAddition } from './run-items.ts';

/**
 * Adds params' digests to a run's param row as an attribute of their own
 * (run-items.ts paramRowAddition: racing requests both land, a retry rewrites
 * the same attribute, no read), or, with `params` undefined (more params than
 * a row holds), marks the row `x`: a candidate for every param clause. Either
 * creates the row when the run had none. Used by RunRepository and by the
 * param-row migration.
 */
export async function addToParamRow(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: { workspace: string; experimentId: string; runId: string },
  params: ReadonlyMap<string, string> | undefined,
) {
  const markAll = () =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: paramRowKey(key.workspace, key.experimentId, key.runId),
        UpdateExpression: 'SET #type = :type, x = :x',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':type': entityTypes.paramRow, ':x': true },
      }),
    );
  if (!params) return markAll();
  const addition = paramRowAddition(params);
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: paramRowKey(key.workspace, key.experimentId, key.runId),
        UpdateExpression: 'SET #type = :type, #digests = :digests',
        ConditionExpression: 'attribute_not_exists(#digests) OR #digests = :digests',
        ExpressionAttributeNames: { '#type': 'type', '#digests': addition.name },
        ExpressionAttributeValues: { ':type': entityTypes.paramRow, ':digests': addition.value },
      }),
    );
  } catch (error) {
    // Another batch of this run's params with the same attribute name: rather than lose either, match every clause.
    if (conditionFailedItem(error) === false) throw error;
    await markAll();
  }
}
