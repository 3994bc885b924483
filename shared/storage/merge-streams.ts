import { compareCodePoints } from '../domain/search/evaluate.ts';
import type { StreamEntry } from './search-repository.ts';

/**
 * Merges streams, each already in order, into one, by their comparable sort
 * keys: one experiment's index entries of a metric from its index items and
 * its slot GSI, or several experiments' streams.
 */
export async function* mergeStreams(
  streams: AsyncGenerator<StreamEntry>[],
  descending: boolean,
): AsyncGenerator<StreamEntry> {
  const heads = await Promise.all(streams.map((stream) => stream.next()));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i] as IteratorResult<StreamEntry>;
      if (head.done) continue;
      const current = best < 0 ? undefined : (heads[best] as IteratorYieldResult<StreamEntry>).value.sortKey;
      const candidate = head.value.sortKey;
      if (current === undefined) {
        best = i;
        continue;
      }
      const order = compareCodePoints(candidate, current);
      if (descending ? order > 0 : order < 0) best = i;
    }
    if (best < 0) return;
    yield (heads[best] as IteratorYieldResult<StreamEntry>).value;
    heads[best] = await (streams[best] as AsyncGenerator<StreamEntry>).next();
  }
}
