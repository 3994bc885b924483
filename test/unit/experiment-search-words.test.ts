import { expect, test } from 'vitest';
import { experimentComparator, parseExperimentFilter } from '../../shared/domain/search/experiment-filter.ts';

/** What MLflow 3.17.2's server answered to each (its set of keys printed in one of its orders). */
const attributeWords = (key: string) =>
  `Invalid attribute key '${key}' specified. Valid keys are '{'last_update_time', 'creation_time', 'experiment_id', 'name'}'`;
const entityWords = (entity: string) =>
  `Invalid entity type '${entity}'. Valid entity types are ('attribute', 'tag', 'tags')`;

const refusal = (search: () => unknown) => {
  try {
    search();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('not refused');
};

test("an experiment search's unknown keys are refused in MLflow's words", () => {
  expect(refusal(() => parseExperimentFilter("foo.bar = 'x'"))).toBe(entityWords('foo'));
  expect(refusal(() => parseExperimentFilter("attribute.foo = 'x'"))).toBe(attributeWords('foo'));
  expect(refusal(() => parseExperimentFilter("name = 'a' AND foo LIKE 'x'"))).toBe(attributeWords('foo'));
  expect(refusal(() => experimentComparator(['foo']))).toBe(attributeWords('foo'));
  expect(refusal(() => experimentComparator(['foo.bar DESC']))).toBe(entityWords('foo'));
  expect(refusal(() => experimentComparator(['tags.x']))).toBe('Invalid order_by entity: tag');
});

test('a known key in a clause that is wrong otherwise keeps the words that say what is wrong', () => {
  expect(refusal(() => parseExperimentFilter('name = '))).toBe("filter: cannot parse 'name ='");
  expect(refusal(() => experimentComparator(['name UP']))).toMatch(/^order_by: 'name UP' must be one of name, /);
  expect(parseExperimentFilter("attributes.name = 'a' AND tags.k = 'v'")).toHaveLength(2);
  // A tag key that cannot be read is not taken for an attribute named by part of `tags`.
  expect(refusal(() => parseExperimentFilter("tags.`` = 'v'"))).toBe("filter: cannot parse 'tags.`` = 'v''");
});
