import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ServiceBusyError } from '../errors.ts';
import { recordConsumedCapacity } from './capacity.ts';
import { notifyStorageCommand } from './command-observer.ts';

// What DynamoDB answers when it sheds load, after the SDK's own retries gave up.
const throttlingErrors = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

// Matches both the low-level (PutItemCommand) and document (PutCommand) names.
const itemCommand = /^(Get|Put|Update|Delete|Query|Scan|BatchGet|BatchWrite|TransactGet|TransactWrite)/;
const writeCommand = /^(Put|Update|Delete|BatchWrite|TransactWrite)/;

export interface DynamoClientOptions {
  region: string;
  endpoint?: string | undefined;
}

/**
 * Builds the document client every repository uses. Each command asks for its
 * consumed capacity, which a middleware adds to the current request's meter.
 */
export function createDocumentClient(options: DynamoClientOptions): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  base.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = context.commandName ?? '';
      const input = args.input as Record<string, unknown>;
      notifyStorageCommand({ service: 'dynamodb', name: commandName, input });
      if (!itemCommand.test(commandName)) return next(args);
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args).catch((error: unknown) => {
        throw error instanceof Error && throttlingErrors.has(error.name) ? new ServiceBusyError() : error;
      });
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] };
      recordConsumedCapacity(writeCommand.test(commandName) ? 'write' : 'read', output.ConsumedCapacity);
      return result;
    },
    { step: 'initialize', name: 'stratusConsumedCapacity' },
  );
  return DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}
