import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { openApiPath } from '../../shared/http/openapi.ts';
import { routePaths } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';

test("the README's route table lists exactly the routes the service has", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const documented = [...readme.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`]*)` +\|/gm)].map(
    (match) => `${match[1]} ${match[2]}`,
  );
  const served = routeList.map((route) => `${route.method} ${openApiPath(route.path)}`);
  expect([...documented].sort()).toEqual([...served].sort());
});

test("the README's API Gateway route counts are the route table's", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  const keys = routeList.flatMap((route) => routePaths(route).map((path) => `${route.method} ${path}`));
  expect(readme).toContain(`(${keys.length} routes in all,`);
  const getPaths = keys.filter((key) => key.startsWith('GET ')).length;
  expect(readme).toContain(`${getPaths} more of the HTTP API's 300 (${keys.length} in use)`);
});
