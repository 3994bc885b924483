import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailedItem } from './dynamo-errors.ts';
import { entityTypes, paramRowKey } from './keys.ts';
import { FIRST_DIGESTS, paramRowAddition } from './run-items.ts';

/**
 * Adds params' digests to a run's param row as an attribute of their own
 * (run-items.ts paramRowAddition: racing requests both land, a retry rewrites
 * the same attribute, no read), or, with `params` undefined (more params than
 * a row holds), marks the row `x`: a candidate for every param clause. Either
 * creates the row when the run had none. Used by RunRepository and by the
 * param-row migration.
 *
 * With `first` (the run had no params: MLflow clients create a run, then log
 * its params) the digests go to `b`, the attribute a run created with params
 * has, unless another write got there first. Why it matters: on DynamoDB Local
 * a Query over 10,000 rows each with an attribute name of its own (`b…`) took
 * 0.6-1.6 s against 0.2-0.45 s for the same rows all named `b` (measured with
 * scratch rows written by UpdateItem, load 6-8): the peer bench's MLflow-API
 * column, whose runs all got their params this way, was that much slower.
 */
export async function addToParamRow(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: { workspace: string; experimentId: string; runId: string },
  params: ReadonlyMap<string, string> | undefined,
  first = false,
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
  const setIfAbsentOrEqual = async (name: string) => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: paramRowKey(key.workspace, key.experimentId, key.runId),
          UpdateExpression: 'SET #type = :type, #digests = :digests',
          ConditionExpression: 'attribute_not_exists(#digests) OR #digests = :digests',
          ExpressionAttributeNames: { '#type': 'type', '#digests': name },
          ExpressionAttributeValues: { ':type': entityTypes.paramRow, ':digests': addition.value },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      return false;
    }
  };
  if (first && (await setIfAbsentOrEqual(FIRST_DIGESTS))) return;
  // Another batch of this run's params with the same attribute name: rather than lose either, match every clause.
  if (!(await setIfAbsentOrEqual(addition.name))) await markAll();
}
