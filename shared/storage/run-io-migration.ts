import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ExperimentMigrationCount, migrateExperiments } from './experiment-migration.ts';
import { entityTypes, runIoPartition } from './keys.ts';
import { queryAllItems } from './query-page.ts';
import { beginRunIoWrite, keepRunIoCopy, markRunIo } from './run-io.ts';

export type RunIoMarkMigration = ExperimentMigrationCount;
export type RunIoCopyMigration = ExperimentMigrationCount;

/**
 * Marks runs from before Run.hasIo that have MLflow datasets or outputs, so that a search
 * stops reading the inputs and outputs of every run it answers in their experiment: for
 * every experiment not yet marked `runIoMarks`, each unmarked run's IO partition is probed,
 * a run with any is marked, and then the experiment is. Idempotent and resumable (an
 * interrupted migration does the unmarked experiments again); safe beside live traffic,
 * since every IO write since marks its run itself, before its items.
 */
export function migrateRunIoMarks(
  client: DynamoDBDocumentClient,
  tableName: string,
  log: (line: string) => void = () => undefined,
): Promise<RunIoMarkMigration> {
  return migrateExperiments(
    client,
    tableName,
    {
      mark: 'runIoMarks',
      runProjection: 'runId, hasIo',
      concurrency: 16,
      migrateRun: async (workspace, _experimentId, run) => {
        if (run.hasIo === true) return false;
        const runId = run.runId as string;
        return (
          (await hasIoItems(client, tableName, workspace, runId)) &&
          (await markRunIo(client, tableName, workspace, runId))
        );
      },
      outcome: 'runs marked with IO',
    },
    log,
  );
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

/**
 * Keeps the copy of their datasets and outputs on runs marked as having any from before copies
 * (run-io-copy.ts), so that a search stops reading their IO partitions: for every experiment not
 * yet marked `runIoCopies` (made before copies), each marked run without a copy made for its
 * latest IO write gets one, as a write of no items would leave it (so it races no live write).
 * After migrateRunIoMarks, which marks the runs; idempotent and resumable as it is.
 */
export function migrateRunIoCopies(
  client: DynamoDBDocumentClient,
  tableName: string,
  log: (line: string) => void = () => undefined,
): Promise<RunIoCopyMigration> {
  return migrateExperiments(
    client,
    tableName,
    {
      mark: 'runIoCopies',
      runProjection: 'runId, hasIo, ioVersion, ioCopyVersion',
      concurrency: 16,
      migrateRun: async (workspace, _experimentId, run) => {
        // A copy too large to keep has a version too: its run is read, and trying again changes nothing.
        if (run.hasIo !== true || (run.ioVersion !== undefined && run.ioCopyVersion === run.ioVersion)) return false;
        const runId = run.runId as string;
        const version = await beginRunIoWrite(client, tableName, workspace, runId);
        if (version === undefined) return false;
        await keepRunIoCopy(client, tableName, workspace, runId, version);
        return true;
      },
      outcome: 'runs given a copy of their IO',
    },
    log,
  );
}
