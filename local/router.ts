import { type RouteDefinition, routePaths } from '../shared/http/route-definition.ts';

/**
 * Matches request paths against the route table the way API Gateway does: at
 * the first segment where two routes differ, a static segment beats a
 * `{variable}`, which beats a greedy `{variable+}`.
 */
interface CompiledRoute {
  route: RouteDefinition;
  /** The route's path, or one of its aliases (`routePaths`): what API Gateway names as the route key. */
  path: string;
  segments: Segment[];
}

type Segment = { kind: 'static'; text: string } | { kind: 'variable'; name: string } | { kind: 'greedy'; name: string };

const rank = { static: 0, variable: 1, greedy: 2 } as const;

function compile(route: RouteDefinition, path: string): CompiledRoute {
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((part): Segment => {
      const variable = /^\{(\w+)(\+)?\}$/.exec(part);
      if (!variable) return { kind: 'static', text: part };
      return variable[2]
        ? { kind: 'greedy', name: variable[1] as string }
        : { kind: 'variable', name: variable[1] as string };
    });
  return { route, path, segments };
}

function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const left = a.segments[i];
    const right = b.segments[i];
    if (!left || !right) return left ? -1 : 1;
    const difference = rank[left.kind] - rank[right.kind];
    if (difference !== 0) return difference;
  }
  return 0;
}

export interface RouteMatch {
  route: RouteDefinition;
  /** The path that matched: the route's own or an alias of it. */
  path: string;
  pathParameters: Record<string, string>;
}

export function createRouter(routes: readonly RouteDefinition[]) {
  const compiled = routes
    .flatMap((route) => routePaths(route).map((path) => compile(route, path)))
    .sort(compareSpecificity);
  return (method: string, path: string): RouteMatch | undefined => {
    // A trailing slash or an empty segment (`/runs/`, `/api/v1//runs`) is no route's path, not the path
    // without it. Leading slashes are one: `${base}/api/v1/...` with a base ending in `/`, and MLflow's
    // own tests, send `//model-versions/get-artifact`.
    const parts = path.replace(/^\/+/, '').split('/');
    if (parts.includes('')) return undefined;
    for (const candidate of compiled) {
      if (candidate.route.method !== method) continue;
      const pathParameters = matchSegments(candidate.segments, parts);
      if (pathParameters) return { route: candidate.route, path: candidate.path, pathParameters };
    }
    return undefined;
  };
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as Segment;
    if (segment.kind === 'greedy') {
      if (i >= parts.length) return undefined;
      parameters[segment.name] = parts.slice(i).join('/');
      return parameters;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.kind === 'static' && segment.text !== part) return undefined;
    if (segment.kind === 'variable') parameters[segment.name] = part;
  }
  return parts.length === segments.length ? parameters : undefined;
}
