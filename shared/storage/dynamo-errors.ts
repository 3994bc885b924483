import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ValidationError } from '../errors.ts';

/**
 * Recognises the DynamoDB errors the repositories turn into domain errors, so
 * that no SDK error type leaks past the storage layer.
 */
export interface CancellationReason {
  Code?: string;
  Item?: Record<string, unknown>;
}

/** The item a failed condition returned (ReturnValuesOnConditionCheckFailure), as plain values. */
export function conditionFailedItem(error: unknown): Record<string, unknown> | undefined | false {
  if (!(error instanceof Error) || error.name !== 'ConditionalCheckFailedException') return false;
  return plainItem((error as Error & { Item?: Record<string, unknown> }).Item);
}

/** The per-item reasons of a cancelled transaction, or undefined for any other error. */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  return reasons.map((reason) => ({ ...reason, Item: plainItem(reason.Item) }));
}

// Errors carry items in the wire format ({ S: 'x' }); the document client does not convert them.
function plainItem(item: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!item) return undefined;
  const looksRaw = Object.values(item).every(
    (value) => typeof value === 'object' && value !== null && Object.keys(value).length === 1,
  );
  return looksRaw ? unmarshall(item as Parameters<typeof unmarshall>[0]) : item;
}

/** DynamoDB refused a write because the item would pass 400 KB. */
export const isItemTooLarge = (error: unknown) =>
  error instanceof Error && error.name === 'ValidationException' && /item size/i.test(error.message);

/**
 * An entity kept in one item (an experiment, a logged model) must fit DynamoDB's 400 KB; a write that
 * would pass that is refused whole by DynamoDB, and the client told so with this 400 (README "Limits").
 */
export function refuseItemTooLarge(error: unknown, message: string, code: string): void {
  if (isItemTooLarge(error)) throw new ValidationError(message, code);
}
