import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { limits } from '../limits.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { listedEntryBytes } from '../domain/answer-size.ts';

export interface PageRequest {
  /** The value of `boundAttribute` every item of this query shares. */
  partition: string;
  /** `pk` for table queries, `gsi1pk` for index queries. */
  boundAttribute: string;
  /** Attributes that make up a position: the table key plus the index key, if any. */
  keyAttributes: readonly string[];
  limit: number;
  pageToken: string | undefined;
  /**
   * About how many bytes an item's part of the answer takes in the function's payload (default:
   * `listedEntryBytes`, a bound for any view of it). A page ends early, at `limits.answerBytes`,
   * so that no list outgrows what a function may answer.
   */
  answerBytes?: (item: Record<string, unknown>) => number;
}

/** Filtered queries read in steps of at least this many items, not one by one. */
const MIN_FILTERED_READ = 100;

/**
 * Reads one page of up to `limit` items, following DynamoDB's pagination while a
 * FilterExpression leaves pages short. When DynamoDB returns more matches than
 * fit (in number, or in the answer's bytes), the page ends at the last item kept
 * and the token resumes right after it.
 */
export async function queryPage(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>,
  request: PageRequest,
): Promise<{ items: Record<string, unknown>[]; cursor: string | undefined }> {
  const filtered = input.FilterExpression !== undefined;
  const binding = bindingOf(input);
  let startKey = (await decodeCursor(binding, request.pageToken, {
    attribute: request.boundAttribute,
    partition: request.partition,
  })) as Record<string, unknown> | undefined;
  const items: Record<string, unknown>[] = [];
  let answered = 0;
  do {
    const remaining = request.limit - items.length;
    const page = await client.send(
      new QueryCommand({
        ...input,
        ExclusiveStartKey: startKey,
        Limit: filtered ? Math.max(MIN_FILTERED_READ, remaining) : remaining,
      }),
    );
    const found = page.Items ?? [];
    const fitting = fittingCount(found, items.length, request);
    if (found.length > Math.min(remaining, fitting)) {
      const kept = found.slice(0, Math.min(remaining, fitting));
      items.push(...kept);
      return {
        items,
        cursor: await positionCursor(binding, request, items[items.length - 1] as Record<string, unknown>),
      };
    }
    items.push(...found);
    startKey = page.LastEvaluatedKey;
  } while (startKey && items.length < request.limit);
  return { items, cursor: startKey ? await encodeCursor(binding, startKey as never) : undefined };

  /** How many of `found` still fit the answer after the page's first `before` items (at least one item in all). */
  function fittingCount(found: readonly Record<string, unknown>[], before: number, page: PageRequest): number {
    const sizeOf = page.answerBytes ?? listedEntryBytes;
    for (let index = 0; index < found.length; index++) {
      answered += sizeOf(found[index] as Record<string, unknown>);
      if (answered > limits.answerBytes && before + index > 0) return index;
    }
    return found.length;
  }
}

/**
 * What a token of this query is bound to: the index, the key condition and the
 * filter with their values, which name the workspace's partition and every
 * filter the client chose. A token only continues the same query.
 */
function bindingOf(input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>): string {
  return JSON.stringify([
    'query',
    input.IndexName ?? null,
    input.KeyConditionExpression ?? null,
    input.FilterExpression ?? null,
    input.ExpressionAttributeNames ?? null,
    input.ExpressionAttributeValues ?? null,
    input.ScanIndexForward ?? true,
  ]);
}

function positionCursor(binding: string, request: PageRequest, item: Record<string, unknown>): Promise<string> {
  const position: Record<string, string> = {};
  for (const attribute of request.keyAttributes) position[attribute] = String(item[attribute]);
  return encodeCursor(binding, position);
}

/**
 * Every item of a query, page by page. With `firstPage`, pages start at that
 * many items and double up to `maxPage` (1,000 unless given), so a caller that
 * stops early reads little.
 */
export async function* queryAllItems(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>,
  options: { firstPage?: number; maxPage?: number } = {},
): AsyncGenerator<Record<string, unknown>> {
  const maxPage = options.maxPage ?? 1000;
  let startKey: Record<string, unknown> | undefined;
  let pageSize = options.firstPage === undefined ? undefined : Math.max(1, Math.min(maxPage, options.firstPage));
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey, Limit: pageSize }));
    for (const item of page.Items ?? []) yield item;
    startKey = page.LastEvaluatedKey;
    if (pageSize !== undefined) pageSize = Math.min(maxPage, pageSize * 2);
  } while (startKey);
}
