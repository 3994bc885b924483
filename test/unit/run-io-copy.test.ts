import { describe, expect, test } from 'vitest';
import type { RunIo } from '../../shared/domain/logged-models.ts';
import { currentRunIoCopy, encodeRunIoCopy } from '../../shared/storage/run-io-copy.ts';
import { layoutBudgets } from '../../shared/storage/run-layout.ts';

/** The copy of a run's datasets and outputs on its run item (run-io-copy.ts): what it keeps, and when it is trusted. */
const io: RunIo = {
  datasets: [
    {
      name: 'train',
      digest: 'd1',
      sourceType: 'local',
      source: '{}',
      schema: '{"mlflow_colspec": []}',
      profile: undefined,
      // JSON's `__proto__` is an own key, as a tag's key read from DynamoDB is.
      tags: Object.assign(
        Object.create(null) as Record<string, string>,
        JSON.parse('{"mlflow.data.context": "training", "__proto__": "a key like any other"}'),
      ),
    },
  ],
  modelInputs: ['m-used'],
  outputs: [{ modelId: 'm-1', step: 3 }],
};

describe('the IO copy on the run item', () => {
  test('keeps what search answers (no model inputs), read back alike', () => {
    const ioCopy = encodeRunIoCopy(io) as string;
    const kept = currentRunIoCopy({ ioCopy, ioVersion: 4, ioCopyVersion: 4 });
    expect(kept).toEqual({ datasets: io.datasets, outputs: io.outputs });
    expect(Object.keys(kept?.datasets[0]?.tags ?? {})).toEqual(['mlflow.data.context', '__proto__']);
    expect(Object.getPrototypeOf(kept?.datasets[0]?.tags)).toBeNull();
  });

  test('is trusted only when made for the latest IO write', () => {
    const ioCopy = encodeRunIoCopy(io) as string;
    expect(currentRunIoCopy({ ioCopy, ioVersion: 5, ioCopyVersion: 4 })).toBeUndefined();
    expect(currentRunIoCopy({ ioCopy, ioCopyVersion: 4 })).toBeUndefined();
    expect(currentRunIoCopy({ ioVersion: 4, ioCopyVersion: 4 })).toBeUndefined();
  });

  test('is not kept past its budget', () => {
    const [dataset] = io.datasets;
    const large = { ...io, datasets: [{ ...dataset!, schema: 'x'.repeat(layoutBudgets.ioCopy) }] };
    expect(encodeRunIoCopy(large)).toBeUndefined();
  });
});
