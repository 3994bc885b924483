import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFoundError, ParamChangeError } from '../errors.ts';
import { conditionFailedItem } from './dynamo-errors.ts';
import { loggedModelKey } from './keys.ts';
import { refuseTooLarge } from './logged-model-item.ts';

/**
 * Logging params of a logged model (its item's `params` map). Apart from LoggedModelRepository so
 * that the functions that create models or log metrics for them (near their bundle size target,
 * test/infra/bundle-size.test.ts) do not carry it: only the function that logs params does.
 */
export class LoggedModelParamWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Adds params the model does not have yet. Params are immutable, as a run's: one it has with the
   * same value is left as it is (a client's retry), one with another value is a ParamChangeError
   * naming each and nothing is written. Each new key is written only if still absent, so a racing
   * writer's value is read again rather than replaced. A deleted model takes them, as every write
   * naming it (LoggedModelRepository.delete).
   */
  async log(workspace: string, modelId: string, params: Record<string, string>, now: number): Promise<void> {
    for (;;) {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: loggedModelKey(workspace, modelId),
          ProjectionExpression: 'pk, params',
          ConsistentRead: true,
        }),
      );
      if (!Item) throw new NotFoundError('logged_model', modelId);
      const logged = (Item.params ?? {}) as Record<string, string>;
      const sent = Object.entries(params);
      const changes = sent
        .filter(([key, value]) => Object.hasOwn(logged, key) && logged[key] !== value)
        .map(([key, value]) => ({ key, logged: logged[key] as string, sent: value }));
      const [first, ...more] = changes;
      if (first) throw new ParamChangeError(modelId, [first, ...more], 'logged_model');
      const fresh = sent.filter(([key]) => !Object.hasOwn(logged, key));
      if (fresh.length === 0) return;
      const names: Record<string, string> = { '#p': 'params' };
      const values: Record<string, unknown> = { ':now': now };
      const sets = ['updatedAt = :now'];
      const conditions = ['attribute_exists(pk)'];
      fresh.forEach(([key, value], i) => {
        names[`#p${i}`] = key;
        values[`:p${i}`] = value;
        sets.push(`#p.#p${i} = :p${i}`);
        // Short names: 100 conditions stay within DynamoDB's 4 KB an expression.
        conditions.push(`attribute_not_exists(#p.#p${i})`);
      });
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: loggedModelKey(workspace, modelId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return;
      } catch (error) {
        refuseTooLarge(error, 'params');
        // Another writer logged one of these keys, or the model was purged, since the read: read again.
        if (conditionFailedItem(error) === false) throw error;
      }
    }
  }
}
