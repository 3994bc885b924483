/**
 * Documented size and count limits (README "Limits"). MLflow's limits are the
 * baseline; anything a client can send is bounded so that no item, request or
 * response can outgrow DynamoDB's 400 KB item or Lambda's 6 MB payload.
 */
export const limits = {
  /**
   * A request body as the function's event holds it (shared/domain/answer-size.ts bodyEventBytes: base64
   * or escaped text, the larger), within Lambda's 6 MB for an invocation with room for the rest of the
   * event: about 4.5 MB of JSON. MLflow's server takes a log-batch of 100 params of 6,000 non-ASCII
   * characters, which its client sends as 3.6 MB (`\u20ac` for a `€`): this bound takes it too.
   */
  requestBodyEventBytes: 5.75 * 1024 * 1024,
  /**
   * What the runs of one search page may take in its answer: a page ends early (with a token)
   * before it would outgrow Lambda's 6 MB response, escaped into the result's JSON.
   */
  answerBytes: 4 * 1024 * 1024,
  nameLength: 250,
  descriptionLength: 5000,
  keyLength: 250,
  /** MLflow's MAX_TAG_VAL_LENGTH: a run's (and a logged model's) tag value. */
  tagValueLength: 8000,
  /** MLflow's MAX_EXPERIMENT_TAG_VAL_LENGTH: experiments' notes are tags and can be long. */
  experimentTagValueLength: 20_000,
  tagsPerRequest: 100,
  tagsPerEntity: 200,
  paramValueLength: 6000,
  paramsPerRequest: 100,
  metricPointsPerRequest: 1000,
  metricKeysPerRun: 1000,
  idempotencyKeyLength: 128,
  pageSizeDefault: 50,
  pageSizeMax: 1000,
  searchPageSizeDefault: 100,
  compareRunsMax: 100,
  /** Experiments one run search may name: MLflow's search_all_experiments sends every experiment's id. */
  searchExperiments: 1000,
  experimentTagFilters: 20,
  metricHistoryPageMax: 10000,
  metricHistoryPageDefault: 1000,
  downsampleMaxPoints: 5000,
  pipelineComponents: 100,
  /** A run's pipeline_config: its JSON in bytes of UTF-8, and levels of nesting. */
  pipelineConfigBytes: 16 * 1024,
  pipelineConfigDepth: 16,
  gitCommitLength: 64,
  codeVersionLength: 250,
} as const;

/**
 * A dataset a run used, in either dialect: MLflow's own bounds (its server's columns), so that a
 * dataset logged through one API can be logged again, or read, through the other.
 */
export const datasetLimits = {
  nameLength: 500,
  digestLength: 36,
  sourceTypeLength: 100,
  sourceLength: 65_535,
  schemaLength: 100_000,
  profileLength: 100_000,
  tags: 20,
  perRequest: 100,
} as const;
