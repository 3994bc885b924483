import * as z from 'zod/mini';
import { artifactResponse } from './artifacts.ts';
import { runDetailsResponse } from './run-responses.ts';

/** `GET /runs/{id}`: the details and the run's complete artifacts. */
export const runWithArtifactsResponse = z.extend(runDetailsResponse, { artifacts: z.array(artifactResponse) });
