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

test("prefixes and attribute names are read case and all, as MLflow's server reads them", () => {
  // Its run search takes `attributes.` and `attr.`; its experiment search does not.
  expect(refusal(() => parseExperimentFilter("attributes.name = 'a'"))).toBe(entityWords('attributes'));
  expect(refusal(() => parseExperimentFilter("name = 'a' AND attr.experiment_id IN ('1')"))).toBe(entityWords('attr'));
  expect(refusal(() => parseExperimentFilter("attributes.experiment_id = '1'"))).toBe(entityWords('attributes'));
  expect(refusal(() => parseExperimentFilter("Attribute.name = 'a'"))).toBe(entityWords('Attribute'));
  expect(refusal(() => parseExperimentFilter("TAGS.k = 'v'"))).toBe(entityWords('TAGS'));
  expect(refusal(() => parseExperimentFilter('Tags.k IS NULL'))).toBe(entityWords('Tags'));
  expect(refusal(() => parseExperimentFilter("NAME = 'a'"))).toBe(attributeWords('NAME'));
  expect(refusal(() => parseExperimentFilter('attribute.Creation_Time > 0'))).toBe(attributeWords('Creation_Time'));
  expect(refusal(() => parseExperimentFilter("EXPERIMENT_ID = '1'"))).toBe(attributeWords('EXPERIMENT_ID'));
  expect(refusal(() => parseExperimentFilter("attribute.tags.k = 'v'"))).toBe(attributeWords('tags.k'));
  expect(refusal(() => experimentComparator(['attributes.name']))).toBe(entityWords('attributes'));
  expect(refusal(() => experimentComparator(['Name ASC']))).toBe(attributeWords('Name'));
  expect(refusal(() => experimentComparator(['Tags.k']))).toBe(entityWords('Tags'));
  // Operators and directions in any case, as there.
  expect(parseExperimentFilter("name ilike 'a%' AND tags.k != 'v'")).toHaveLength(2);
  expect(() => experimentComparator(['attribute.name desc', 'creation_time Asc'])).not.toThrow();
});

test('a known key in a clause that is wrong otherwise keeps the words that say what is wrong', () => {
  expect(refusal(() => parseExperimentFilter('name = '))).toBe("filter: cannot parse 'name ='");
  expect(refusal(() => experimentComparator(['name UP']))).toMatch(/^order_by: 'name UP' must be one of name, /);
  expect(parseExperimentFilter("attribute.name = 'a' AND tags.k = 'v' AND tag.j IS NULL")).toHaveLength(3);
  // A tag key that cannot be read is not taken for an attribute named by part of `tags`.
  expect(refusal(() => parseExperimentFilter("tags.`` = 'v'"))).toBe("filter: cannot parse 'tags.`` = 'v''");
});
