import type { Clock } from '../ids.ts';
import type { ExperimentRepository } from '../storage/experiment-repository.ts';
import type { MetricRepository } from '../storage/metric-repository.ts';
import type { MetricSlots } from '../storage/metric-slots.ts';
import type { RunRepository } from '../storage/run-repository.ts';
import type { SearchRepository } from '../storage/search-repository.ts';

/** What the use cases need from the outside world, passed in so tests can build it from real parts. */
export interface TrackingDeps {
  experiments: ExperimentRepository;
  runs: RunRepository;
  metrics: MetricRepository;
  /** Which of an experiment's metric keys are indexed through slot GSIs (metric-slots.ts). */
  metricSlots: MetricSlots;
  search: SearchRepository;
  clock: Clock;
  newId: () => string;
}

/** Who is asking: every read and write is confined to one workspace. */
export interface RequestScope {
  workspace: string;
}

/** The workspace a fresh deployment or local stack creates, with its first admin token. */
export const defaultWorkspace = 'default';

/** What starting a run uses: everything but search. */
export type RunCreateDeps = Pick<TrackingDeps, 'experiments' | 'runs' | 'metrics' | 'metricSlots' | 'clock' | 'newId'>;
