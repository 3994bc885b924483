import { BatchWriteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../errors.ts';
import { conditionFailedItem } from './dynamo-errors.ts';
import {
  experimentKey,
  experimentsByCreationPartition,
  legacyParamIndexKey,
  type PrimaryKey,
  runsByExperimentPartition,
  workspacesByCreationPartition,
} from './keys.ts';
import { queryAllItems } from './query-page.ts';
import { addToParamRow } from './param-row-write.ts';
import { PARAM_ROW_DIGESTS } from './run-items.ts';
import { RunRepository } from './run-repository.ts';
import { logicalIndexes } from './table-definition.ts';

export interface ParamRowMigration {
  experiments: number;
  /** Experiments marked in an earlier run of the migration (or made since param rows): skipped. */
  skipped: number;
  runs: number;
}

/** Runs migrated at once within an experiment. */
const CONCURRENCY = 8;

/**
 * Moves runs from before param rows to them (docs/search.md, "Runs from before
 * param rows"): for every experiment not yet marked `paramRows`, each run's
 * params are read whole and their digests ADDed to its param row, its older
 * per-param index entries are removed (after the row is written, so that
 * search finds the run throughout), and then the experiment is marked, so
 * search stops reading those entries there. Idempotent and resumable: an
 * interrupted migration does the unmarked experiments again, and what it had
 * done is harmless to do twice. Safe beside live traffic: new runs get rows
 * anyway, and params added meanwhile are ADDed too.
 */
export async function migrateParamRows(
  client: DynamoDBDocumentClient,
  tableName: string,
  log: (line: string) => void = () => undefined,
): Promise<ParamRowMigration> {
  const runs = new RunRepository(client, tableName);
  const done: ParamRowMigration = { experiments: 0, skipped: 0, runs: 0 };
  const byCreation = (partition: string, projection: string) =>
    queryAllItems(client, {
      TableName: tableName,
      // Workspaces and experiments are listed on the same index (table-definition.ts).
      IndexName: logicalIndexes.experimentsByCreation,
      KeyConditionExpression: 'gsi1pk = :partition',
      ExpressionAttributeValues: { ':partition': partition },
      ProjectionExpression: projection,
    });
  for await (const { workspaceId } of byCreation(workspacesByCreationPartition, 'workspaceId')) {
    const workspace = workspaceId as string;
    for await (const experiment of byCreation(experimentsByCreationPartition(workspace), 'experimentId, paramRows')) {
      const experimentId = experiment.experimentId as string;
      if (experiment.paramRows === true) {
        done.skipped++;
        continue;
      }
      const runsBefore = done.runs;
      const runIds = queryAllItems(client, {
        TableName: tableName,
        IndexName: logicalIndexes.runsByExperiment,
        KeyConditionExpression: 'gsi1pk = :partition',
        ExpressionAttributeValues: { ':partition': runsByExperimentPartition(workspace, experimentId) },
        ProjectionExpression: 'runId',
      });
      let group: string[] = [];
      const migrateGroup = async () => {
        await Promise.all(
          group.map(async (runId) => {
            const details = await runs.getDetails(workspace, runId);
            if (!details) return; // purged meanwhile
            const params = new Map(Object.entries(details.params));
            await completeParamRow(client, tableName, workspace, experimentId, runId, params);
            const legacy = [...params].map(([key, value]) =>
              legacyParamIndexKey(workspace, experimentId, key, value, runId),
            );
            await deleteAll(client, tableName, legacy);
            done.runs++;
          }),
        );
        group = [];
      };
      for await (const { runId } of runIds) {
        group.push(runId as string);
        if (group.length >= CONCURRENCY) await migrateGroup();
      }
      await migrateGroup();
      await markExperiment(client, tableName, workspace, experimentId);
      done.experiments++;
      log(`migrate: workspace ${workspace} experiment ${experimentId}: ${done.runs - runsBefore} runs in param rows`);
    }
  }
  return done;
}

/**
 * Makes a run's param row hold all of `params` (the run's params, read whole),
 * as RunRepository writes rows: the digests as an attribute of their own
 * (idempotent, and nothing a concurrent request adds is lost), or `x` past what a row holds. Here rather
 * than in RunRepository, which every tracking function carries.
 */
async function completeParamRow(
  client: DynamoDBDocumentClient,
  tableName: string,
  workspace: string,
  experimentId: string,
  runId: string,
  params: ReadonlyMap<string, string>,
) {
  if (params.size === 0) return;
  await addToParamRow(
    client,
    tableName,
    { workspace, experimentId, runId },
    params.size <= PARAM_ROW_DIGESTS ? params : undefined,
    true,
  );
}

async function markExperiment(client: DynamoDBDocumentClient, tableName: string, workspace: string, id: string) {
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: experimentKey(workspace, id),
        UpdateExpression: 'SET paramRows = :true',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
  } catch (error) {
    if (conditionFailedItem(error) === false) throw error; // purged meanwhile: nothing to mark
  }
}

/** Deletes keys (absent ones are fine), 25 a request, retrying what DynamoDB leaves unprocessed. */
async function deleteAll(client: DynamoDBDocumentClient, tableName: string, keys: PrimaryKey[]) {
  for (let start = 0; start < keys.length; start += 25) {
    let pending: object[] = keys.slice(start, start + 25).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 8) throw new ServiceUnavailableError(1);
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
      pending = result.UnprocessedItems?.[tableName] ?? [];
    }
  }
}
