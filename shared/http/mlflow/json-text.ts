/** A JSON string (consumed whole, so digits inside it are text) or a number. */
const stringOrNumber = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * The spelling of the number JSON.parse found at `path` in `text`, as the client
 * wrote it: JSON.parse keeps a number's value, not its text (`9.0` becomes 9),
 * where MLflow's server (Python's json) keeps a float a float, so its refusal of a
 * number sent for a string field quotes `9.0`; scripts and MLflow's own tests look
 * for those words. Called on a refusal only: the body, which JSON.parse accepted
 * and the gateway bounds, is parsed once more with each number turned into the
 * string of its text, so the path (and JSON.parse's choice among duplicate keys)
 * leads to the same place. Undefined when the path leads nowhere.
 */
export function numberTextAt(text: string, path: readonly PropertyKey[]): string | undefined {
  let node: unknown = JSON.parse(
    text.replace(stringOrNumber, (token) => (token.startsWith('"') ? token : `"${token}"`)),
  );
  for (const step of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, step)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[step];
  }
  return typeof node === 'string' ? node : undefined;
}
