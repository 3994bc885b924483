import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { listedEntryBytes } from '../domain/answer-size.ts';
import type { Artifact, ArtifactStatus, ArtifactType } from '../domain/artifacts.ts';
import type { Page } from '../domain/types.ts';
import { ConflictError } from '../errors.ts';
import { limits } from '../limits.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { conditionFailedItem } from './dynamo-errors.ts';
import { artifactKey, artifactPartition, entityTypes } from './keys.ts';
import { queryAllItems, queryPage } from './query-page.ts';

interface ArtifactItem {
  path: string;
  artifactType: ArtifactType;
  sizeBytes: number;
  contentType: string;
  sha256?: string;
  status: ArtifactStatus;
  objectKey: string;
  uploadId?: string;
  partSizeBytes?: number;
  partCount?: number;
  serviceCompletes?: boolean;
  completingSince?: number;
  createdTime: number;
  updatedTime: number;
}

const toArtifact = (item: ArtifactItem): Artifact => ({
  path: item.path,
  artifactType: item.artifactType,
  sizeBytes: item.sizeBytes,
  contentType: item.contentType,
  sha256: item.sha256,
  status: item.status,
  objectKey: item.objectKey,
  multipart:
    item.uploadId === undefined
      ? undefined
      : {
          uploadId: item.uploadId,
          partSizeBytes: item.partSizeBytes ?? 0,
          partCount: item.partCount ?? 0,
          ...(item.serviceCompletes ? { serviceCompletes: true } : {}),
          ...(item.completingSince === undefined ? {} : { completingSince: item.completingSince }),
        },
  createdTime: item.createdTime,
  updatedTime: item.updatedTime,
});

const toItem = (artifact: Artifact): ArtifactItem => ({
  path: artifact.path,
  artifactType: artifact.artifactType,
  sizeBytes: artifact.sizeBytes,
  contentType: artifact.contentType,
  ...(artifact.sha256 ? { sha256: artifact.sha256 } : {}),
  status: artifact.status,
  objectKey: artifact.objectKey,
  ...(artifact.multipart
    ? {
        uploadId: artifact.multipart.uploadId,
        partSizeBytes: artifact.multipart.partSizeBytes,
        partCount: artifact.multipart.partCount,
        ...(artifact.multipart.serviceCompletes ? { serviceCompletes: true } : {}),
      }
    : {}),
  createdTime: artifact.createdTime,
  updatedTime: artifact.updatedTime,
});

export interface ListArtifactsQuery {
  prefix: string | undefined;
  limit: number;
  pageToken: string | undefined;
  /** Only artifacts in this status. */
  status?: ArtifactStatus | undefined;
}

export interface ListArtifactLevelQuery {
  /** The folder listed: '' (the run's root) or a path ending with '/'. */
  prefix: string;
  /** Files and folders together. */
  limit: number;
  pageToken: string | undefined;
}

/** One page of a folder's level: its files, and its subfolders (paths without the trailing '/'). */
export interface ArtifactLevelPage {
  files: Artifact[];
  folders: string[];
  cursor: string | undefined;
}

/** Where a level's page resumes: at `from` (inclusive), after the file `after` once one of the segment was read. */
interface LevelPosition {
  from?: string;
  after?: string;
}

/** The first read of a stretch of files; doubled while files follow, so a big subfolder costs one small read to pass. */
const levelFirstRead = 16;

/** Artifact records: one item per (run, path) in the run's artifact partition, in path order. */
export class ArtifactRepository {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  async get(workspace: string, runId: string, path: string): Promise<Artifact | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: artifactKey(workspace, runId, path), ConsistentRead: true }),
    );
    return Item ? toArtifact(Item as ArtifactItem) : undefined;
  }

  /**
   * Records a planned upload. A path that is COMPLETE is immutable (409), and that
   * is the write's own condition, so two racing uploads cannot both replace it; a
   * PENDING record (an upload that never finished) is replaced, and returned so
   * the caller can abort its multipart upload.
   */
  async putPending(workspace: string, runId: string, artifact: Artifact): Promise<Artifact | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...artifactKey(workspace, runId, artifact.path), type: entityTypes.artifact, ...toItem(artifact) },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING' },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes ? toArtifact(Attributes as ArtifactItem) : undefined;
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      throw artifactExists(artifact.path);
    }
  }

  /**
   * PENDING → COMPLETE, only for the upload the caller checked (the same upload
   * id, or still a single upload): a plan that replaced it meanwhile wins.
   */
  async markComplete(
    workspace: string,
    runId: string,
    pending: Artifact,
    now: number,
    measuredSizeBytes?: number,
  ): Promise<Artifact> {
    const uploadCondition = pending.multipart ? 'uploadId = :uploadId' : 'attribute_not_exists(uploadId)';
    // An upload planned without a size (MLflow's multipart API) records the size S3 measured.
    const measured = measuredSizeBytes === undefined ? '' : ', sizeBytes = :measured';
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: artifactKey(workspace, runId, pending.path),
          UpdateExpression: `SET #status = :complete, updatedTime = :now${measured} REMOVE uploadId, partSizeBytes, partCount, serviceCompletes, completingSince`,
          ConditionExpression: `#status = :pending AND sizeBytes = :size AND ${uploadCondition}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':complete': 'COMPLETE',
            ':pending': 'PENDING',
            ':now': now,
            ':size': pending.sizeBytes,
            ...(measuredSizeBytes === undefined ? {} : { ':measured': measuredSizeBytes }),
            ...(pending.multipart ? { ':uploadId': pending.multipart.uploadId } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toArtifact(Attributes as ArtifactItem);
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      throw new ConflictError(
        'artifact.replaced',
        `path: the upload of '${pending.path}' was replaced or completed by another request`,
      );
    }
  }

  /**
   * Takes, for `leaseMs`, the right to send S3 the CompleteMultipartUpload of
   * the artifact's open upload `uploadId`. False when the artifact is no longer
   * that pending upload, or another request's claim is younger than the lease.
   * The lease lets a later request finish the job of one that died holding it.
   */
  async claimCompletion(
    workspace: string,
    runId: string,
    path: string,
    claim: { uploadId: string; now: number; leaseMs: number },
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: artifactKey(workspace, runId, path),
          UpdateExpression: 'SET completingSince = :now',
          ConditionExpression:
            '#status = :pending AND uploadId = :uploadId AND ' +
            '(attribute_not_exists(completingSince) OR completingSince < :staleBefore)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'PENDING',
            ':uploadId': claim.uploadId,
            ':now': claim.now,
            ':staleBefore': claim.now - claim.leaseMs,
          },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
      return false;
    }
  }

  /** Gives up a claim taken at `claimedAt` (its completion failed), unless it has been taken over since. */
  async releaseCompletion(
    workspace: string,
    runId: string,
    path: string,
    claim: { uploadId: string; claimedAt: number },
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: artifactKey(workspace, runId, path),
          UpdateExpression: 'REMOVE completingSince',
          ConditionExpression: 'uploadId = :uploadId AND completingSince = :claimedAt',
          ExpressionAttributeValues: { ':uploadId': claim.uploadId, ':claimedAt': claim.claimedAt },
        }),
      );
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
    }
  }

  /** Forgets an aborted multipart upload, unless another plan replaced it meanwhile. */
  async deletePending(workspace: string, runId: string, path: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: artifactKey(workspace, runId, path),
          ConditionExpression: '#status = :pending AND uploadId = :uploadId',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING', ':uploadId': uploadId },
        }),
      );
    } catch (error) {
      if (conditionFailedItem(error) === false) throw error;
    }
  }

  /** In path order, optionally only paths starting with `prefix`. */
  /** Whether any artifact's path starts with `prefix`: one key read, no page token. */
  async hasAnyUnder(workspace: string, runId: string, prefix: string): Promise<boolean> {
    const found = queryAllItems(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :partition AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':partition': artifactPartition(workspace, runId), ':prefix': prefix },
        ProjectionExpression: 'sk',
      },
      { firstPage: 1 },
    );
    return !(await found.next()).done;
  }

  async list(workspace: string, runId: string, query: ListArtifactsQuery): Promise<Page<Artifact>> {
    const partition = artifactPartition(workspace, runId);
    const values: Record<string, unknown> = { ':partition': partition };
    let keyCondition = 'pk = :partition';
    if (query.prefix) {
      keyCondition += ' AND begins_with(sk, :prefix)';
      values[':prefix'] = query.prefix;
    }
    const input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'> = {
      TableName: this.tableName,
      KeyConditionExpression: keyCondition,
      ExpressionAttributeValues: values,
      ConsistentRead: true,
    };
    if (query.status) {
      input.FilterExpression = '#status = :status';
      input.ExpressionAttributeNames = { '#status': 'status' };
      values[':status'] = query.status;
    }
    const page = await queryPage(this.client, input, {
      partition,
      boundAttribute: 'pk',
      keyAttributes: ['pk', 'sk'],
      limit: query.limit,
      pageToken: query.pageToken,
    });
    return { items: page.items.map((item) => toArtifact(item as unknown as ArtifactItem)), cursor: page.cursor };
  }

  /**
   * One level of a folder, as S3 lists with a delimiter: the files directly in it and its subfolders,
   * in path order, `limit` entries a page. A subfolder is one entry however many files it holds: on
   * meeting its first file the read jumps past the rest (every path under `F/` sorts before `F0`,
   * '0' following '/'), so a level costs about one small query per subfolder, never its subtree.
   */
  async listLevel(workspace: string, runId: string, query: ListArtifactLevelQuery): Promise<ArtifactLevelPage> {
    const partition = artifactPartition(workspace, runId);
    const binding = JSON.stringify(['artifact-level', partition, query.prefix]);
    const position = (await decodeCursor(binding, query.pageToken)) as LevelPosition | undefined;
    // Past the folder: '<prefix without its slash>0'. BETWEEN includes it, so that one path is left out below.
    const end = query.prefix ? `${query.prefix.slice(0, -1)}0` : undefined;
    let from = position?.from ?? (query.prefix || undefined);
    let after = position?.after;
    const page: ArtifactLevelPage = { files: [], folders: [], cursor: undefined };
    let answered = 0;
    let read = levelFirstRead;
    for (;;) {
      const values: Record<string, unknown> = { ':partition': partition };
      let keyCondition = 'pk = :partition';
      if (from !== undefined) {
        values[':from'] = from;
        if (end === undefined) keyCondition += ' AND sk >= :from';
        else {
          keyCondition += ' AND sk BETWEEN :from AND :end';
          values[':end'] = end;
        }
      }
      const answer = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: keyCondition,
          ExpressionAttributeValues: values,
          ExclusiveStartKey: after === undefined ? undefined : { pk: partition, sk: after },
          Limit: read,
          ConsistentRead: true,
        }),
      );
      let jumped = false;
      for (const item of answer.Items ?? []) {
        const path = item.sk as string;
        if (path === end) return page;
        answered += listedEntryBytes(item);
        const count = page.files.length + page.folders.length;
        if (count >= query.limit || (count > 0 && answered > limits.answerBytes)) {
          page.cursor = await encodeCursor(binding, {
            ...(from === undefined ? {} : { from }),
            ...(after ? { after } : {}),
          });
          return page;
        }
        const slash = path.indexOf('/', query.prefix.length);
        if (slash < 0) {
          page.files.push(toArtifact(item as unknown as ArtifactItem));
          after = path;
          continue;
        }
        const folder = path.slice(0, slash);
        page.folders.push(folder);
        from = `${folder}0`;
        after = undefined;
        jumped = true;
        break;
      }
      if (jumped) read = levelFirstRead;
      else if (answer.LastEvaluatedKey) read = Math.min(1000, read * 2);
      else return page;
    }
  }
}

const artifactExists = (path: string) =>
  new ConflictError('artifact.exists', `path: artifact '${path}' is already complete; artifacts are immutable`);

/**
 * The artifact records with the registry's one extra read, a folder's files,
 * in a class of its own so the other functions' bundles do not carry it.
 */
export class ArtifactTreeReader extends ArtifactRepository {
  /**
   * Up to `max` artifacts whose paths start with `prefix`, in path order, read
   * without a page token (for the service's own use, such as the files of a
   * model version; `list` is the paginated listing for clients).
   */
  async listUnder(workspace: string, runId: string, prefix: string, max: number): Promise<Artifact[]> {
    const found: Artifact[] = [];
    for await (const item of queryAllItems(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :partition AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':partition': artifactPartition(workspace, runId), ':prefix': prefix },
        ConsistentRead: true,
      },
      { firstPage: max },
    )) {
      found.push(toArtifact(item as unknown as ArtifactItem));
      if (found.length >= max) break;
    }
    return found;
  }
}
