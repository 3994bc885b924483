/** The parsed form of a run search: filter clauses joined by AND, and order keys. */

/** `duration` is end_time − start_time in milliseconds: a run still going has none (as it has no end_time). */
export const runAttributes = [
  'status',
  'run_name',
  'start_time',
  'end_time',
  'duration',
  'run_id',
  'parent_run_id',
  /** MLflow's `mlflow-artifacts:/<experiment>/<run>/artifacts` (runArtifactUri). */
  'artifact_uri',
] as const;
export type RunAttribute = (typeof runAttributes)[number];

/** What a `components.<part>` clause looks at in each of a run's pipeline components. */
export const componentParts = ['name', 'type', 'stage'] as const;
export type ComponentPart = (typeof componentParts)[number];

/** What a `datasets.<part>` clause looks at in each dataset the run used (MLflow's `log-inputs`). */
export const datasetParts = ['name', 'digest', 'context'] as const;
export type DatasetPart = (typeof datasetParts)[number];

/** What a clause or an order key looks at. */
export type Field =
  | { kind: 'metric'; key: string }
  | { kind: 'param'; key: string }
  | { kind: 'tag'; key: string }
  | { kind: 'attribute'; name: RunAttribute }
  /** A pipeline component's name, type or stage: a clause holds when it holds for any component. */
  | { kind: 'component'; part: ComponentPart }
  /** A dataset the run used: a clause holds when it holds for any of them. */
  | { kind: 'dataset'; part: DatasetPart };

export const comparisonOperators = ['=', '!=', '<', '<=', '>', '>='] as const;
export const stringOperators = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'] as const;
/** Whether a run has the field at all, as MLflow's `params.x IS NULL`. */
export const presenceOperators = ['IS NULL', 'IS NOT NULL'] as const;
export type Operator =
  (typeof comparisonOperators)[number] | (typeof stringOperators)[number] | (typeof presenceOperators)[number];

export type Clause =
  | { field: Field; op: (typeof comparisonOperators)[number]; value: number }
  | { field: Field; op: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string }
  | { field: Field; op: 'IN' | 'NOT IN'; value: string[] }
  | { field: Field; op: (typeof presenceOperators)[number]; value?: undefined };

export interface OrderKey {
  field: Field;
  descending: boolean;
}

/** Metrics, times and durations compare as numbers; everything else as strings. */
export const isNumericField = (field: Field) =>
  field.kind === 'metric' ||
  (field.kind === 'attribute' &&
    (field.name === 'start_time' || field.name === 'end_time' || field.name === 'duration'));

export const fieldName = (field: Field) =>
  field.kind === 'attribute'
    ? field.name
    : field.kind === 'component'
      ? `components.${field.part}`
      : field.kind === 'dataset'
        ? `datasets.${field.part}`
        : `${field.kind}s.${field.key}`;

/** Runs are ordered newest first unless the client asks otherwise. */
export const defaultOrder: OrderKey[] = [{ field: { kind: 'attribute', name: 'start_time' }, descending: true }];

/**
 * The order as MLflow's server completes it: runs that tie on every key asked
 * for come newest first (start_time DESC, unless start_time is a key already),
 * then by run id (see compareTuples).
 */
export const withTieBreak = (order: readonly OrderKey[]): OrderKey[] =>
  order.some(({ field }) => field.kind === 'attribute' && field.name === 'start_time')
    ? [...order]
    : [...order, ...defaultOrder];
