import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../errors.ts';
import { type ExperimentMigrationCount, migrateExperiments } from './experiment-migration.ts';
import { legacyParamIndexKey, type PrimaryKey } from './keys.ts';
import { addToParamRow } from './param-row-write.ts';
import { PARAM_ROW_DIGESTS } from './run-items.ts';
import { RunRepository } from './run-repository.ts';

export type ParamRowMigration = ExperimentMigrationCount;

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
export function migrateParamRows(
  client: DynamoDBDocumentClient,
  tableName: string,
  log: (line: string) => void = () => undefined,
): Promise<ParamRowMigration> {
  const runs = new RunRepository(client, tableName);
  return migrateExperiments(
    client,
    tableName,
    {
      mark: 'paramRows',
      runProjection: 'runId',
      concurrency: 8,
      migrateRun: async (workspace, experimentId, run) => {
        const runId = run.runId as string;
        const details = await runs.getDetails(workspace, runId);
        if (!details) return false; // purged meanwhile
        const params = new Map(Object.entries(details.params));
        await completeParamRow(client, tableName, workspace, experimentId, runId, params);
        const legacy = [...params].map(([key, value]) =>
          legacyParamIndexKey(workspace, experimentId, key, value, runId),
        );
        await deleteAll(client, tableName, legacy);
        return true;
      },
      outcome: 'runs in param rows',
    },
    log,
  );
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
