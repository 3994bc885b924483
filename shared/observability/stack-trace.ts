import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces of the Lambda bundle in terms of our source files, with the
 * source map read only when an error is logged. Node's `--enable-source-maps`
 * would do it for every stack, but it parses the whole map while the bundle
 * loads, which cost about 9 ms of each cold start's ~48 (docs/deploy.md,
 * "Bundle size and load time"); unexpected errors are rare, cold starts are not.
 *
 * Frames in other files, and everything when the map is missing (the local
 * server runs the sources themselves), are left as they are.
 */
export function sourceMappedStack(stack: string, bundleUrl: string = import.meta.url): string {
  const map = sourceMapOf(bundleUrl);
  if (!map) return stack;
  return stack
    .split('\n')
    .map((line) =>
      line.replace(framePattern, (frame, url: string, line: string, column: string) => {
        if (url !== bundleUrl && url !== map.file) return frame;
        // findEntry takes and gives 0-based lines and columns; stack frames are 1-based.
        const entry = map.map.findEntry(Number(line) - 1, Number(column) - 1) as Partial<OriginalPosition>;
        if (entry.originalSource === undefined || entry.originalLine === undefined) return frame;
        return `${sourceName(entry.originalSource)}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
      }),
    )
    .join('\n');
}

interface OriginalPosition {
  originalSource: string;
  originalLine: number;
  originalColumn: number;
}

/** `file:///var/task/index.mjs:1:2345` or `/var/task/index.mjs:1:2345`, as V8 writes a frame's location. */
const framePattern = /((?:file:\/\/)?\/[^\s():]+):(\d+):(\d+)/g;

/** `../../work/stratus/shared/http/handler.ts` (relative to the bundle) -> `shared/http/handler.ts`. */
const sourceName = (source: string) =>
  /(?:^|\/)((?:lambdas|shared|node_modules)\/.*)$/.exec(source)?.[1] ?? source.replace(/^(?:\.\.\/)+/, '');

const maps = new Map<string, { map: SourceMap; file: string } | null>();

function sourceMapOf(bundleUrl: string): { map: SourceMap; file: string } | null {
  let found = maps.get(bundleUrl);
  if (found === undefined) {
    found = null;
    if (bundleUrl.startsWith('file:') && /\.m?js$/.test(bundleUrl)) {
      const file = fileURLToPath(bundleUrl);
      try {
        found = { map: new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))), file };
      } catch {
        // No map beside the bundle, or not one Node can read: stacks stay as they are.
      }
    }
    maps.set(bundleUrl, found);
  }
  return found;
}
