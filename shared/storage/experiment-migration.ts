import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailedItem } from './dynamo-errors.ts';
import {
  experimentKey,
  experimentsByCreationPartition,
  runsByExperimentPartition,
  workspacesByCreationPartition,
} from './keys.ts';
import { queryAllItems } from './query-page.ts';
import { logicalIndexes } from './table-definition.ts';

/** What a migration did: experiments done now, experiments already marked, runs it changed. */
export interface ExperimentMigrationCount {
  experiments: number;
  /** Experiments marked in an earlier run of the migration (or made since the mark): skipped. */
  skipped: number;
  runs: number;
}

/** A migration done run by run within each experiment, which a mark on the experiment records. */
export interface ExperimentMigration {
  /** The experiment attribute set to `true` once its runs are done. */
  mark: string;
  /** What `migrateRun` reads of each run's entry in the runs-by-experiment index (`runId` and more). */
  runProjection: string;
  /** Runs migrated at once within an experiment. */
  concurrency: number;
  /** Migrates one run; true when it changed it (counted). */
  migrateRun(workspace: string, experimentId: string, run: Record<string, unknown>): Promise<boolean>;
  /** What the log line says was done to the runs, after their count (`runs in param rows`). */
  outcome: string;
}

/**
 * The walk every per-experiment migration makes: each workspace's experiments
 * not yet carrying the mark, each one's runs handed to `migrateRun` a group at
 * a time, then the experiment marked. Idempotent and resumable as long as
 * `migrateRun` is: an interrupted migration does the unmarked experiments again.
 */
export async function migrateExperiments(
  client: DynamoDBDocumentClient,
  tableName: string,
  migration: ExperimentMigration,
  log: (line: string) => void,
): Promise<ExperimentMigrationCount> {
  const done: ExperimentMigrationCount = { experiments: 0, skipped: 0, runs: 0 };
  const listed = (IndexName: string, partition: string, projection: string) =>
    queryAllItems(client, {
      TableName: tableName,
      IndexName,
      KeyConditionExpression: 'gsi1pk = :partition',
      ExpressionAttributeValues: { ':partition': partition },
      ProjectionExpression: projection,
      // DynamoDB refuses a name the expression does not use.
      ...(projection.includes('#mark') && { ExpressionAttributeNames: { '#mark': migration.mark } }),
    });
  // Workspaces and experiments are listed on the same index (table-definition.ts).
  const byCreation = logicalIndexes.experimentsByCreation;
  for await (const { workspaceId } of listed(byCreation, workspacesByCreationPartition, 'workspaceId')) {
    const workspace = workspaceId as string;
    for await (const experiment of listed(
      byCreation,
      experimentsByCreationPartition(workspace),
      'experimentId, #mark',
    )) {
      const experimentId = experiment.experimentId as string;
      if (experiment[migration.mark] === true) {
        done.skipped++;
        continue;
      }
      const runsBefore = done.runs;
      const runs = listed(
        logicalIndexes.runsByExperiment,
        runsByExperimentPartition(workspace, experimentId),
        migration.runProjection,
      );
      let group: Record<string, unknown>[] = [];
      const migrateGroup = async () => {
        const changed = await Promise.all(group.map((run) => migration.migrateRun(workspace, experimentId, run)));
        done.runs += changed.filter(Boolean).length;
        group = [];
      };
      for await (const run of runs) {
        group.push(run);
        if (group.length >= migration.concurrency) await migrateGroup();
      }
      await migrateGroup();
      await markExperiment(client, tableName, workspace, experimentId, migration.mark);
      done.experiments++;
      log(`migrate: workspace ${workspace} experiment ${experimentId}: ${done.runs - runsBefore} ${migration.outcome}`);
    }
  }
  return done;
}

async function markExperiment(
  client: DynamoDBDocumentClient,
  tableName: string,
  workspace: string,
  id: string,
  mark: string,
) {
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: experimentKey(workspace, id),
        UpdateExpression: 'SET #mark = :true',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#mark': mark },
        ExpressionAttributeValues: { ':true': true },
      }),
    );
  } catch (error) {
    if (conditionFailedItem(error) === false) throw error; // purged meanwhile: nothing to mark
  }
}
