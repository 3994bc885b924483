import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { recordConsumedCapacity } from './capacity.ts';
import { notifyStorageCommand } from './command-observer.ts';
import { asServiceOutage, callLimitSettings } from './service-outage.ts';

// Matches both the low-level (PutItemCommand) and document (PutCommand) names.
const itemCommand = /^(Get|Put|Update|Delete|Query|Scan|BatchGet|BatchWrite|TransactGet|TransactWrite)/;
const writeCommand = /^(Put|Update|Delete|BatchWrite|TransactWrite)/;

export interface DynamoClientOptions {
  region: string;
  endpoint?: string | undefined;
  /** Time limit of each attempt, when not the default (see service-outage.ts). */
  attemptTimeoutMs?: number | undefined;
}

/**
 * Builds the document client every repository uses. Each command asks for its
 * consumed capacity, which a middleware adds to the current request's meter;
 * an outage (after the SDK's retries) becomes a ServiceUnavailableError.
 */
export function createDocumentClient(options: DynamoClientOptions): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...callLimitSettings('dynamodb', options.attemptTimeoutMs),
    base64Decoder: decodeBase64,
  });
  // The SDK's logger middleware copies every response through its sensitive-data filter before
  // handing it to the logger, even to the no-op logger we leave it: 12 ms of CPU per search that
  // reads 1,250 param rows (CPU profile of the local server). We give the SDK no logger: drop it.
  base.middlewareStack.remove('loggerMiddleware');
  base.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = context.commandName ?? '';
      const input = args.input as Record<string, unknown>;
      notifyStorageCommand({ service: 'dynamodb', name: commandName, input });
      const isItemCommand = itemCommand.test(commandName);
      if (isItemCommand) input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args).catch((error: unknown) => {
        throw asServiceOutage(error);
      });
      if (!isItemCommand) return result;
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] };
      recordConsumedCapacity(writeCommand.test(commandName) ? 'write' : 'read', output.ConsumedCapacity);
      return result;
    },
    { step: 'initialize', name: 'stratusConsumedCapacity' },
  );
  return DynamoDBDocumentClient.from(base, {
    // A map with a key named `constructor` fails the marshaller's plain-object test (it reads
    // `value.constructor.name`); every object we store is a plain map, so convert it as one.
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false, convertClassInstanceToMap: true },
  });
}

/**
 * Binary attribute values as DynamoDB sends them, without the SDK's default
 * check of each string against a regular expression first (9 ms of CPU per
 * search reading 10,000 runs' param digests): the service only sends valid
 * base64, and Buffer decodes it natively.
 */
function decodeBase64(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
