import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type ExperimentMigrationCount, migrateExperiments } from './experiment-migration.ts';
import { childRunKey } from './keys.ts';

export type ChildIndexMigration = ExperimentMigrationCount;

/**
 * Gives the child runs of experiments from before the child index (not marked `childIndex`) their
 * item there (keys.ts childRunKey), then marks the experiment, after which a search by parent
 * reads the index instead of every run. A put of a key-only item: idempotent (an interrupted
 * migration does the unmarked experiments again), and safe beside live traffic, since every run
 * created since writes its own item with it.
 */
export function migrateChildIndex(
  client: DynamoDBDocumentClient,
  tableName: string,
  log: (line: string) => void = () => undefined,
): Promise<ChildIndexMigration> {
  return migrateExperiments(
    client,
    tableName,
    {
      mark: 'childIndex',
      runProjection: 'runId, parentRunId',
      concurrency: 16,
      migrateRun: async (workspace, experimentId, run) => {
        if (typeof run.parentRunId !== 'string') return false;
        const Item = childRunKey(workspace, experimentId, run.parentRunId, run.runId as string);
        await client.send(new PutCommand({ TableName: tableName, Item }));
        return true;
      },
      outcome: 'child runs indexed',
    },
    log,
  );
}
