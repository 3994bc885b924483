import { AsyncLocalStorage } from 'node:async_hooks';
import type { RouteDefinition } from '../shared/http/route-definition.ts';
import { observeStorageCommands, type StorageCommand } from '../shared/storage/command-observer.ts';

/**
 * The local stack's stand-in for each function's IAM role. The CDK stack grants
 * a function exactly the actions its route declares; here the same declaration
 * refuses any other command, so a route that forgot an action fails in the
 * tests instead of with AccessDenied after deploying.
 */

const currentRoute = new AsyncLocalStorage<RouteDefinition>();

/** Runs `invoke` (a handler call) with `route`'s grants in force. */
export const withRouteGrants = <T>(route: RouteDefinition, invoke: () => Promise<T>): Promise<T> =>
  currentRoute.run(route, invoke);

// IAM authorises a document-client command as the item action it performs.
const dynamoActions: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
};
// A transaction is authorised item by item.
const transactItemActions: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};
// S3 authorises multipart steps as the object action they serve.
const s3Actions: Record<string, string> = {
  PutObject: 'PutObject',
  CreateMultipartUpload: 'PutObject',
  UploadPart: 'PutObject',
  CompleteMultipartUpload: 'PutObject',
  GetObject: 'GetObject',
  HeadObject: 'GetObject',
  AbortMultipartUpload: 'AbortMultipartUpload',
  ListParts: 'ListMultipartUploadParts',
  DeleteObject: 'DeleteObject',
  DeleteObjects: 'DeleteObject',
  ListObjectsV2: 'ListBucket',
};

/** The IAM actions (and index names) a command needs, as `service:Action` or `dynamodb:Query@index`. */
export function requiredGrants(command: StorageCommand): string[] {
  const name = command.name.replace(/(Items?)?Command$/, '');
  if (command.service === 's3') return [`s3:${s3Actions[name] ?? name}`];
  if (name === 'TransactWrite' || name === 'TransactGet') {
    const items = (command.input.TransactItems ?? []) as Record<string, unknown>[];
    return [
      ...new Set(
        items.flatMap((item) => Object.keys(item).map((kind) => `dynamodb:${transactItemActions[kind] ?? kind}`)),
      ),
    ];
  }
  const action = `dynamodb:${dynamoActions[name] ?? name}`;
  const index = command.input.IndexName;
  return typeof index === 'string' ? [action, `dynamodb:Query@${index}`] : [action];
}

/** The grants a route declares, in the notation of `requiredGrants`. */
export function declaredGrants(route: RouteDefinition): Set<string> {
  return new Set([
    ...route.table.actions.map((action) => `dynamodb:${action}`),
    ...(route.table.indexes ?? []).map((index) => `dynamodb:Query@${index}`),
    ...(route.bucket?.actions ?? []).map((action) => `s3:${action}`),
  ]);
}

/** Installs the check for this process; commands outside a handler call (table bootstrap) are not checked. */
export function enforceRouteGrants(): void {
  observeStorageCommands((command) => {
    const route = currentRoute.getStore();
    if (!route) return;
    const declared = declaredGrants(route);
    const missing = requiredGrants(command).filter((grant) => !declared.has(grant));
    if (missing.length > 0) {
      throw new Error(
        `${route.operationId} is not granted ${missing.join(', ')}: declare it in its module under shared/http/routes/`,
      );
    }
  });
}
