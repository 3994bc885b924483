/**
 * A request body as MLflow's server reads it. Its bodies go through protobuf's JSON parser
 * (ParseDict), which takes `null` for a field as the field left out: singular, repeated and map
 * fields alike, in nested messages too. A body of `null` is `{}` there. So JSON written for
 * MLflow (`{"run_id": "...", "step": null}`) is answered as if the field were absent, not with a
 * 400 about it. A `null` element of a list is not a field: ParseDict refuses it, and the schemas
 * still do (a 400 naming the element).
 *
 * Fields are deleted in place (the value is JSON.parse's, nobody else's), walking with a stack
 * of its own rather than recursing: the body's depth is the client's choice.
 */
export function protoJsonBody(body: unknown): unknown {
  if (body === null) return {};
  const pending: unknown[] = [body];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) pending.push(item);
      continue;
    }
    const fields = node as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (fields[key] === null) delete fields[key];
      else pending.push(fields[key]);
    }
  }
  return body;
}
