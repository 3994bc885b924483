import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailedItem } from './dynamo-errors.ts';
import {
  modelsByNamePartition,
  modelsByUpdateKey,
  modelVersionSortPrefix,
  modelVersionsByUpdateKey,
  workspacesByCreationPartition,
} from './keys.ts';
import { queryAllItems } from './query-page.ts';
import { logicalIndexes } from './table-definition.ts';

export interface RegistryIndexMigration {
  models: number;
  versions: number;
}

/**
 * Puts registered models and versions written before the by-update lists
 * (modelsByUpdate, modelVersionsByUpdate on gsi2) on them, from their
 * `updatedAt`. Reads only the registry: each workspace's models by name, and
 * each model's partition. Idempotent and safe beside live traffic: every put
 * is conditional on the item having no list key yet, and any write since
 * (which sets the key itself) wins.
 */
export async function migrateRegistryIndexes(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<RegistryIndexMigration> {
  const done: RegistryIndexMigration = { models: 0, versions: 0 };
  const listed = (partition: string, projection: string, names?: Record<string, string>) =>
    queryAllItems(client, {
      TableName: tableName,
      // Workspaces and models by name are on the same index (table-definition.ts).
      IndexName: logicalIndexes.modelsByName,
      KeyConditionExpression: 'gsi1pk = :partition',
      ExpressionAttributeValues: { ':partition': partition },
      ProjectionExpression: projection,
      ...(names ? { ExpressionAttributeNames: names } : {}),
    });
  const place = async (key: { pk: string; sk: string }, listKey: { gsi2pk: string; gsi2sk: string }) => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET gsi2pk = :partition, gsi2sk = :position',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi2pk)',
          ExpressionAttributeValues: { ':partition': listKey.gsi2pk, ':position': listKey.gsi2sk },
        }),
      );
      return 1;
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      return 0; // changed (which placed it) or deleted meanwhile
    }
  };
  for await (const { workspaceId } of listed(workspacesByCreationPartition, 'workspaceId')) {
    const workspace = workspaceId as string;
    const models = listed(modelsByNamePartition(workspace), 'pk, sk, modelId, #name, updatedAt, gsi2pk', {
      '#name': 'name',
    });
    for await (const model of models) {
      const modelId = model.modelId as string;
      if (model.gsi2pk === undefined) {
        done.models += await place(
          { pk: model.pk as string, sk: model.sk as string },
          modelsByUpdateKey(workspace, model.updatedAt as number, model.name as string),
        );
      }
      for await (const version of queryAllItems(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :partition AND begins_with(sk, :versions)',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':partition': model.pk, ':versions': modelVersionSortPrefix },
        ProjectionExpression: 'pk, sk, #version, updatedAt, gsi2pk',
      })) {
        if (version.gsi2pk !== undefined) continue;
        done.versions += await place(
          { pk: version.pk as string, sk: version.sk as string },
          modelVersionsByUpdateKey(workspace, version.updatedAt as number, modelId, version.version as number),
        );
      }
    }
  }
  return done;
}
