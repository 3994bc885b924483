import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailedItem } from './dynamo-errors.ts';
import { entityTypes, paramBucketKey, paramBucketOf, paramRowKey } from './keys.ts';
import { FIRST_DIGESTS, paramBucketName, paramBucketValue, paramRowAddition } from './run-items.ts';

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

/**
 * Adds a run's params to its bucket row (keys.ts paramBucketKey; run-items.ts
 * paramBucketValue), `undefined` marking it a candidate for every param clause:
 * one UpdateItem setting an attribute of the run's own, so runs created at
 * once into one row all land, and a retry writes the same attribute again.
 * `first` (the run had no params) names it by the run's slot; a slot taken by
 * another value (another run given the same number, or racing first params)
 * moves it to a name made from the value, which holds the run id.
 */
export async function addToParamBucket(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: { workspace: string; experimentId: string; runId: string; runNumber: number },
  params: Iterable<readonly [string, string]> | undefined,
  first: boolean,
) {
  const { bucket, slot } = paramBucketOf(key.runNumber);
  const value = paramBucketValue(key.runId, params);
  const setIfAbsentOrEqual = async (name: string) => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: paramBucketKey(key.workspace, key.experimentId, bucket),
          UpdateExpression: 'SET #type = :type, #run = :value',
          ConditionExpression: 'attribute_not_exists(#run) OR #run = :value',
          ExpressionAttributeNames: { '#type': 'type', '#run': name },
          ExpressionAttributeValues: { ':type': entityTypes.paramRow, ':value': value },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      return false;
    }
  };
  if (first && (await setIfAbsentOrEqual(paramBucketName(slot, value, true)))) return;
  if (await setIfAbsentOrEqual(paramBucketName(slot, value, false))) return;
  // Another value under a name made from this one's SHA-256 (about 2^-48 likely): mark the run instead of losing it.
  const all = paramBucketValue(key.runId, undefined);
  if (params === undefined || !(await setIfAbsentOrEqual(paramBucketName(slot, all, false)))) {
    throw new Error(`param bucket ${bucket}: attribute names taken by other values`);
  }
}
