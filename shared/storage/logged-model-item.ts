// The logged-model item as its repository and its two writers (params, latest metrics) all see it.
import { refuseItemTooLarge } from './dynamo-errors.ts';

/** A metric slot on the logged-model item; the slot's name is the JSON of [key, dataset name, dataset digest]. */
export interface StoredModelMetric {
  key: string;
  /**
   * The exact decimal string, or NaN / Infinity / -Infinity: DynamoDB numbers hold no non-finite value and the
   * document client refuses integers past 2^53. A number on slots written before this was so.
   */
  value: string | number;
  step: number;
  timestamp: number;
  runId: string;
  datasetName?: string;
  datasetDigest?: string;
}

/** A logged model is one item: a write past its 400 KB is a 400 naming the field that was written. */
export const refuseTooLarge = (error: unknown, field: 'params' | 'tags' | 'metrics') =>
  refuseItemTooLarge(
    error,
    `${field}: a logged model's params, tags and latest metrics must fit 400 KB together`,
    'logged_model.too_large',
  );
