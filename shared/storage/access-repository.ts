import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiToken, Workspace } from '../domain/access.ts';
import type { TokenScope } from '../domain/tokens.ts';
import type { Page } from '../domain/types.ts';
import { ConflictError } from '../errors.ts';
import { conditionFailedItem } from './dynamo-errors.ts';
import {
  apiTokenKey,
  entityTypes,
  tokensByWorkspaceKey,
  tokensByWorkspacePartition,
  workspaceKey,
  workspacesByCreationKey,
  workspacesByCreationPartition,
} from './keys.ts';
import { queryPage } from './query-page.ts';
import { indexPosition, logicalIndexes } from './table-definition.ts';

interface TokenItem {
  tokenId: string;
  workspaceId: string;
  scope: TokenScope;
  name: string;
  createdAt: number;
  revokedAt?: number;
  hash: string;
}

const toToken = (item: TokenItem): ApiToken => ({
  tokenId: item.tokenId,
  workspaceId: item.workspaceId,
  scope: item.scope,
  name: item.name,
  createdAt: item.createdAt,
  revokedAt: item.revokedAt,
  hash: item.hash,
});

const toWorkspace = (item: Record<string, unknown>): Workspace => ({
  workspaceId: item.workspaceId as string,
  name: item.name as string,
  createdAt: item.createdAt as number,
});

/** Workspaces and API tokens: who may reach which data. */
export class AccessRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Creates the workspace; an id already taken is a ConflictError. */
  async createWorkspace(workspace: Workspace): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...workspaceKey(workspace.workspaceId),
            ...workspacesByCreationKey(workspace.createdAt, workspace.workspaceId),
            type: entityTypes.workspace,
            ...workspace,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      throw new ConflictError('workspace.exists', `workspace '${workspace.workspaceId}' already exists`);
    }
  }

  async getWorkspace(workspaceId: string): Promise<Workspace | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: workspaceKey(workspaceId), ConsistentRead: true }),
    );
    return Item ? toWorkspace(Item) : undefined;
  }

  async listWorkspaces(limit: number, pageToken: string | undefined): Promise<Page<Workspace>> {
    const page = await queryPage(
      this.client,
      {
        TableName: this.tableName,
        IndexName: logicalIndexes.workspacesByCreation,
        KeyConditionExpression: 'gsi1pk = :partition',
        ExpressionAttributeValues: { ':partition': workspacesByCreationPartition },
        ScanIndexForward: false,
      },
      {
        partition: workspacesByCreationPartition,
        boundAttribute: 'gsi1pk',
        keyAttributes: indexPosition,
        limit,
        pageToken,
      },
    );
    return { items: page.items.map(toWorkspace), cursor: page.cursor };
  }

  async putToken(token: ApiToken): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...apiTokenKey(token.tokenId),
          ...tokensByWorkspaceKey(token.workspaceId, token.createdAt, token.tokenId),
          type: entityTypes.apiToken,
          ...token,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Strongly consistent, so a revocation is seen by the next uncached check. */
  async getToken(tokenId: string): Promise<ApiToken | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: apiTokenKey(tokenId), ConsistentRead: true }),
    );
    return Item ? toToken(Item as TokenItem) : undefined;
  }

  async listTokens(workspaceId: string, limit: number, pageToken: string | undefined): Promise<Page<ApiToken>> {
    const partition = tokensByWorkspacePartition(workspaceId);
    const page = await queryPage(
      this.client,
      {
        TableName: this.tableName,
        IndexName: logicalIndexes.tokensByWorkspace,
        KeyConditionExpression: 'gsi1pk = :partition',
        ExpressionAttributeValues: { ':partition': partition },
        ScanIndexForward: false,
      },
      { partition, boundAttribute: 'gsi1pk', keyAttributes: indexPosition, limit, pageToken },
    );
    return { items: page.items.map((item) => toToken(item as unknown as TokenItem)), cursor: page.cursor };
  }

  /** Marks the token revoked if it belongs to `workspaceId`; false when there is no such token there. */
  /**
   * Revokes a token of `workspaceId` whose scope is one of `scopes`. Undefined
   * when there is no such token in that workspace; `forbidden` when there is,
   * with a scope outside `scopes`.
   */
  async revokeToken(
    workspaceId: string,
    tokenId: string,
    revokedAt: number,
    scopes: readonly TokenScope[],
  ): Promise<ApiToken | 'forbidden' | undefined> {
    const scopeValues = Object.fromEntries(scopes.map((scope, i) => [`:scope${i}`, scope]));
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: apiTokenKey(tokenId),
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
          ConditionExpression: `workspaceId = :workspace AND #scope IN (${Object.keys(scopeValues).join(', ')})`,
          ExpressionAttributeNames: { '#scope': 'scope' },
          ExpressionAttributeValues: { ':now': revokedAt, ':workspace': workspaceId, ...scopeValues },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return toToken(Attributes as TokenItem);
    } catch (error) {
      const existing = conditionFailedItem(error);
      if (existing === false) throw error;
      return existing?.workspaceId === workspaceId ? 'forbidden' : undefined;
    }
  }
}
