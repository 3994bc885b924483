import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailedItem } from './dynamo-errors.ts';
import {
  entityTypes,
  experimentKey,
  experimentsByCreationPartition,
  runIoPartition,
  runsByExperimentPartition,
  workspacesByCreationPartition,
} from './keys.ts';
import { queryAllItems } from './query-page.ts';
import { markRunIo } from './run-io.ts';
import { logicalIndexes } from './table-definition.ts';

export interface RunIoMarkMigration {
  experiments: number;
  /** Experiments marked in an earlier run of the migration (or made since marks): skipped. */
  skipped: number;
  /** Runs found with datasets or outputs and no mark, now marked. */
  runs: number;
}

/** Runs looked at once within an experiment. */
const CONCURRENCY = 16;

/**
 * Marks runs from before Run.hasIo that have MLflow datasets or outputs, so that a search
 * stops reading the inputs and outputs of every run it answers in their experiment: for
 * every experiment not yet marked `runIoMarks`, each unmarked run's IO partition is probed,
 * a run with any is marked, and then the experiment is. Idempotent and resumable (an
 * interrupted migration does the unmarked experiments again); safe beside live traffic,
 * since every IO write since marks its run itself, before its items.
 */
export async function migrateRunIoMarks(
  client: DynamoDBDocumentClient,
  tableName: string,
  log: (line: string) => void = () => undefined,
): Promise<RunIoMarkMigration> {
  const done: RunIoMarkMigration = { experiments: 0, skipped: 0, runs: 0 };
  const listed = (IndexName: string, partition: string, projection: string) =>
    queryAllItems(client, {
      TableName: tableName,
      IndexName,
      KeyConditionExpression: 'gsi1pk = :partition',
      ExpressionAttributeValues: { ':partition': partition },
      ProjectionExpression: projection,
    });
  // Workspaces and experiments are listed on the same index (table-definition.ts).
  const byCreation = logicalIndexes.experimentsByCreation;
  for await (const { workspaceId } of listed(byCreation, workspacesByCreationPartition, 'workspaceId')) {
    const workspace = workspaceId as string;
    const experiments = listed(byCreation, experimentsByCreationPartition(workspace), 'experimentId, runIoMarks');
    for await (const experiment of experiments) {
      const experimentId = experiment.experimentId as string;
      if (experiment.runIoMarks === true) {
        done.skipped++;
        continue;
      }
      const runsBefore = done.runs;
      const runs = listed(
        logicalIndexes.runsByExperiment,
        runsByExperimentPartition(workspace, experimentId),
        'runId, hasIo',
      );
      let group: string[] = [];
      const markGroup = async () => {
        const marked = await Promise.all(
          group.map(
            async (runId) =>
              (await hasIoItems(client, tableName, workspace, runId)) &&
              (await markRunIo(client, tableName, workspace, runId)),
          ),
        );
        done.runs += marked.filter(Boolean).length;
        group = [];
      };
      for await (const run of runs) {
        if (run.hasIo === true) continue;
        group.push(run.runId as string);
        if (group.length >= CONCURRENCY) await markGroup();
      }
      await markGroup();
      await markExperiment(client, tableName, workspace, experimentId);
      done.experiments++;
      log(`migrate: workspace ${workspace} experiment ${experimentId}: ${done.runs - runsBefore} runs marked with IO`);
    }
  }
  return done;
}

/**
 * Whether the run has what MLflow's search answers of its IO (datasets, outputs; not the models it
 * used, which mark nothing): one Query of its partition, half a unit for the many runs without any.
 */
async function hasIoItems(client: DynamoDBDocumentClient, tableName: string, workspace: string, runId: string) {
  const items = queryAllItems(client, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    FilterExpression: '#type IN (:input, :output)',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: {
      ':pk': runIoPartition(workspace, runId),
      ':input': entityTypes.runInput,
      ':output': entityTypes.runOutput,
    },
    ProjectionExpression: 'pk',
  });
  for await (const _ of items) return true;
  return false;
}

async function markExperiment(client: DynamoDBDocumentClient, tableName: string, workspace: string, id: string) {
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: experimentKey(workspace, id),
        UpdateExpression: 'SET runIoMarks = :true',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
  } catch (error) {
    if (conditionFailedItem(error) === false) throw error; // purged meanwhile: nothing to mark
  }
}
