import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { artifactPartition, registeredModelKey } from './keys.ts';
import { queryAllItems } from './query-page.ts';

/**
 * Which model versions hold a run's artifacts, read from the artifact records
 * themselves (strongly consistent): what a purge must refuse over. Kept apart
 * from the registry repository so the purge functions carry only this.
 */
export class ModelHoldsReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Version refs (`<model id>#<version>`) holding any of the run's artifacts, or those under `pathPrefix`. */
  async holdsOnRun(workspace: string, runId: string, pathPrefix?: string): Promise<Map<string, string[]>> {
    const values: Record<string, unknown> = { ':partition': artifactPartition(workspace, runId) };
    let keyCondition = 'pk = :partition';
    if (pathPrefix) {
      keyCondition += ' AND begins_with(sk, :prefix)';
      values[':prefix'] = pathPrefix;
    }
    const holds = new Map<string, string[]>();
    for await (const item of queryAllItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: keyCondition,
      FilterExpression: 'attribute_exists(modelVersions)',
      ExpressionAttributeValues: values,
      ProjectionExpression: 'sk, modelVersions',
      ConsistentRead: true,
    })) {
      for (const ref of item.modelVersions as Set<string>) {
        holds.set(ref, [...(holds.get(ref) ?? []), String(item.sk)]);
      }
    }
    return holds;
  }

  /** A registered model's current name, to name the versions in a refusal. */
  async modelName(workspace: string, modelId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: registeredModelKey(workspace, modelId),
        ProjectionExpression: '#name',
        ExpressionAttributeNames: { '#name': 'name' },
      }),
    );
    return typeof Item?.name === 'string' ? Item.name : undefined;
  }
}
