/** Domain entities, independent of HTTP and of DynamoDB. Times are epoch milliseconds. */

export const runStatuses = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof runStatuses)[number];
export type TerminalRunStatus = Exclude<RunStatus, 'RUNNING'>;

export type Tags = Record<string, string>;

export interface Experiment {
  experimentId: string;
  name: string;
  description: string | undefined;
  tags: Tags;
  createdAt: number;
}

export interface PipelineComponent {
  name: string;
  type: string;
  stage: string | undefined;
  position: number;
}

/** The second seed's pipeline description: free-form config plus ordered components. */
export interface Pipeline {
  config: Record<string, unknown> | undefined;
  components: PipelineComponent[];
}

export interface Run {
  runId: string;
  experimentId: string;
  runName: string;
  status: RunStatus;
  startTime: number;
  endTime: number | undefined;
  tags: Tags;
  parentRunId: string | undefined;
  gitCommit: string | undefined;
  codeVersion: string | undefined;
  pipeline: Pipeline | undefined;
}

export interface LatestMetric {
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

export interface RunDetails extends Run {
  params: Record<string, string>;
  metrics: LatestMetric[];
}

/** One page of a list; `cursor` is present when more may follow. */
export interface Page<T> {
  items: T[];
  cursor: string | undefined;
}
