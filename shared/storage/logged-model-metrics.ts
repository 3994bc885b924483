import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { atMost } from '../at-most.ts';
import { type LoggedModelMetric, maxLoggedModelMetrics } from '../domain/logged-models.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { conditionFailedItem } from './dynamo-errors.ts';
import { loggedModelKey } from './keys.ts';
import { refuseTooLarge, type StoredModelMetric } from './logged-model-item.ts';
import { storedValue } from './stored-value.ts';

/** Slots of one model updated at once (each a conditional UpdateItem of the model item). */
const PARALLEL_METRIC_WRITES = 8;

const isMissingDocumentPath = (error: unknown) =>
  error instanceof Error && error.name === 'ValidationException' && /document path/i.test(error.message);

const metricSlot = (metric: LoggedModelMetric) =>
  JSON.stringify([metric.key, metric.datasetName ?? null, metric.datasetDigest ?? null]);

/**
 * The latest metrics of logged models (their item's `metrics` map), as runs log points against
 * them (MLflow's model_id). Apart from LoggedModelRepository so that the functions that log a run's
 * metrics (near their bundle size target, test/infra/bundle-size.test.ts) carry this writer alone.
 */
export class LoggedModelMetricWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Keeps the latest point of each metric slot (key and dataset) on the model
   * item, latest as MLflow reads it: a point replaces the slot's only when its
   * timestamp is later, or equal with a step at least as high, so racing
   * writers end on the same one.
   */
  async recordMetrics(workspace: string, modelId: string, metrics: readonly LoggedModelMetric[]): Promise<void> {
    const latest = new Map<string, LoggedModelMetric>();
    for (const metric of metrics) {
      const held = latest.get(metricSlot(metric));
      if (
        !held ||
        metric.timestamp > held.timestamp ||
        (metric.timestamp === held.timestamp && metric.step >= held.step)
      ) {
        latest.set(metricSlot(metric), metric);
      }
    }
    await atMost(PARALLEL_METRIC_WRITES, [...latest], ([slot, metric]) =>
      this.recordMetric(workspace, modelId, slot, metric),
    );
  }

  private async recordMetric(
    workspace: string,
    modelId: string,
    slot: string,
    metric: LoggedModelMetric,
    firstTry = true,
  ): Promise<void> {
    const stored: StoredModelMetric = {
      key: metric.key,
      value: storedValue(metric.value),
      step: metric.step,
      timestamp: metric.timestamp,
      runId: metric.runId,
      ...(metric.datasetName === undefined ? {} : { datasetName: metric.datasetName }),
      ...(metric.datasetDigest === undefined ? {} : { datasetDigest: metric.datasetDigest }),
    };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: loggedModelKey(workspace, modelId),
          UpdateExpression: 'SET #metrics.#slot = :metric',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(#metrics.#slot) OR #metrics.#slot.#timestamp < :timestamp OR ' +
            '(#metrics.#slot.#timestamp = :timestamp AND #metrics.#slot.step <= :step)) AND ' +
            '(size(#metrics) < :most OR attribute_exists(#metrics.#slot))',
          ExpressionAttributeNames: { '#metrics': 'metrics', '#slot': slot, '#timestamp': 'timestamp' },
          ExpressionAttributeValues: {
            ':metric': stored,
            ':step': metric.step,
            ':timestamp': metric.timestamp,
            ':most': maxLoggedModelMetrics,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (firstTry && isMissingDocumentPath(error)) {
        // A model written before it kept metrics has no map to set a slot in.
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: loggedModelKey(workspace, modelId),
            UpdateExpression: 'SET #metrics = if_not_exists(#metrics, :empty)',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#metrics': 'metrics' },
            ExpressionAttributeValues: { ':empty': {} },
          }),
        );
        return this.recordMetric(workspace, modelId, slot, metric, false);
      }
      refuseTooLarge(error, 'metrics');
      const item = conditionFailedItem(error);
      if (item === false) throw error;
      if (!item) throw new NotFoundError('logged_model', modelId);
      const slots = (item.metrics ?? {}) as Record<string, unknown>;
      if (!Object.hasOwn(slots, slot) && Object.keys(slots).length >= maxLoggedModelMetrics) {
        throw new ValidationError(
          `metrics: logged model '${modelId}' already has ${maxLoggedModelMetrics} metrics, the most it can hold`,
          'logged_model.too_many_metrics',
        );
      }
      // Otherwise the slot already holds a later point: nothing to do.
    }
  }
}
