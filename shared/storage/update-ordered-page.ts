import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { updateGroupLength } from './keys.ts';
import { queryAllItems } from './query-page.ts';

/** One entry of a gsi2 list (the index projects keys only). */
export interface IndexEntry {
  pk: string;
  sk: string;
  gsi2pk: string;
  gsi2sk: string;
}

/** What breaks a tie of two entries changed in the same millisecond (a name; a name and a version). */
export type TieKey = (string | number)[];

export interface RankedEntry {
  entry: IndexEntry;
  tie: TieKey;
}

export interface UpdateOrderedRequest {
  tableName: string;
  indexName: string;
  partition: string;
  /** The list and its order: a token only continues the list that issued it. */
  binding: string;
  newestFirst: boolean;
  /** The tie key of each entry (may read the items the entries name). */
  tieKeys(entries: readonly IndexEntry[]): Promise<TieKey[]>;
  /** Order within a tied group, in the caller's directions. */
  compareTies(a: TieKey, b: TieKey): number;
  limit: number;
  pageToken: string | undefined;
}

/** The leading time (and its `#`) every entry of a tied group shares. */
const groupOf = (entry: IndexEntry) => entry.gsi2sk.slice(0, updateGroupLength);

/**
 * One page of a list kept on gsi2 by time of last change (`<ms>#…`), in
 * either direction, with ties ordered by `compareTies`, whatever direction
 * the index would give them. MLflow orders by time and breaks ties by name
 * ascending (for versions, then by version descending), so a newest-first
 * list has ties in the opposite direction of its times, which no single index
 * order gives. Each group of entries tied on the millisecond is therefore
 * read whole and sorted: a group the index read may have cut is read again
 * on its own (one more Query), and the page token holds the group and the tie
 * key of the last entry handed out, so the next page goes on inside that
 * group and then after it. Reads are `limit + 1` entries plus at most the
 * group at each end; keys only, about 100 bytes an entry.
 *
 * Answers up to `limit` entries in order and whether more follow; the caller
 * reads the items, may end the page earlier, and asks `cursorAt` for the token.
 */
export async function readUpdateOrdered(
  client: DynamoDBDocumentClient,
  request: UpdateOrderedRequest,
): Promise<{ ranked: RankedEntry[]; more: boolean }> {
  const position = (await decodeCursor(request.binding, request.pageToken, {
    attribute: 'gsi2pk',
    partition: request.partition,
  })) as { gsi2pk: string; g: string; t: TieKey } | undefined;
  const rank = async (entries: IndexEntry[]): Promise<RankedEntry[]> => {
    const ties = await request.tieKeys(entries);
    return entries
      .map((entry, index) => ({ entry, tie: ties[index] as TieKey }))
      .sort((a, b) => request.compareTies(a.tie, b.tie));
  };
  const wholeGroup = async (group: string): Promise<RankedEntry[]> => {
    const entries: IndexEntry[] = [];
    for await (const item of queryAllItems(client, {
      TableName: request.tableName,
      IndexName: request.indexName,
      KeyConditionExpression: 'gsi2pk = :partition AND begins_with(gsi2sk, :group)',
      ExpressionAttributeValues: { ':partition': request.partition, ':group': group },
    })) {
      entries.push(item as unknown as IndexEntry);
    }
    return rank(entries);
  };

  const ranked: RankedEntry[] = [];
  let done: string | undefined;
  if (position) {
    const rest = await wholeGroup(position.g);
    ranked.push(...rest.filter((candidate) => request.compareTies(candidate.tie, position.t) > 0));
    done = position.g;
  }
  while (ranked.length <= request.limit) {
    const input: QueryCommandInput = {
      TableName: request.tableName,
      IndexName: request.indexName,
      KeyConditionExpression: 'gsi2pk = :partition',
      ExpressionAttributeValues: { ':partition': request.partition },
      ScanIndexForward: !request.newestFirst,
      Limit: request.limit + 1 - ranked.length,
    };
    if (done !== undefined) {
      // Past the whole group: `<ms>#` sorts before its entries, `<ms>$` after them.
      input.KeyConditionExpression += request.newestFirst ? ' AND gsi2sk < :done' : ' AND gsi2sk > :done';
      (input.ExpressionAttributeValues as Record<string, unknown>)[':done'] = request.newestFirst
        ? done
        : `${done.slice(0, -1)}$`;
    }
    const page = await client.send(new QueryCommand(input));
    const entries = (page.Items ?? []) as unknown as IndexEntry[];
    const more = page.LastEvaluatedKey !== undefined;
    const groups: IndexEntry[][] = [];
    for (const entry of entries) {
      const last = groups[groups.length - 1];
      if (last && groupOf(last[0] as IndexEntry) === groupOf(entry)) last.push(entry);
      else groups.push([entry]);
    }
    for (const [index, group] of groups.entries()) {
      const name = groupOf(group[0] as IndexEntry);
      // The last group of a read that stopped early may go on past it.
      ranked.push(...(index === groups.length - 1 && more ? await wholeGroup(name) : await rank(group)));
      done = name;
      if (ranked.length > request.limit) break;
    }
    if (!more) break;
  }
  return { ranked: ranked.slice(0, request.limit), more: ranked.length > request.limit };
}

/** The token of the page that goes on after `last`. */
export function cursorAt(request: Pick<UpdateOrderedRequest, 'binding' | 'partition'>, last: RankedEntry) {
  return encodeCursor(request.binding, { gsi2pk: request.partition, g: groupOf(last.entry), t: last.tie });
}
