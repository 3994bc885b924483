import type { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ServiceUnavailableError } from '../errors.ts';
import { type CancellationReason, cancellationReasons } from './dynamo-errors.ts';
import { retryAfterSeconds } from './service-outage.ts';

const MAX_ATTEMPTS = 5;

/**
 * Sends a write transaction. Returns undefined when it committed, or the
 * cancellation reasons when a condition failed. A transaction that only lost a
 * race with another one (TransactionConflict) or was throttled is sent again,
 * with jitter, so the retry sees the winner's write and fails or succeeds on its
 * conditions; if it keeps losing, the client is told to come back (503).
 */
export async function sendTransaction(
  client: DynamoDBDocumentClient,
  command: TransactWriteCommand,
): Promise<CancellationReason[] | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(command);
      return undefined;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (!reasons) throw error;
      if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) return reasons;
      const transient = reasons.some(
        (reason) => reason.Code === 'TransactionConflict' || reason.Code === 'ThrottlingError',
      );
      if (!transient) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new ServiceUnavailableError(retryAfterSeconds.throttled, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 25 * attempt * Math.random()));
    }
  }
}
