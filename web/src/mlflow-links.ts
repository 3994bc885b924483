/**
 * The stock `mlflow` client prints links into MLflow's UI, which routes in the
 * URL fragment: `🏃 View run r1 at: <tracking uri>/#/experiments/<id>/runs/<run id>`.
 * Locally the tracking URI is this app's origin, so those links land here:
 * the fragment is turned into this app's path for the same view. Anything
 * else in a fragment (the sign-in token) is left alone.
 */
export function pathOfMlflowLink(hash: string): string | undefined {
  if (!hash.startsWith('#/')) return undefined;
  const [path = ''] = hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean);
  const [first, second, third, fourth, fifth] = parts;
  const id = (value: string | undefined) =>
    value !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : undefined;
  const segment = (value: string) => encodeURIComponent(safeDecode(value));
  if (first === 'experiments' && id(second)) {
    if (third === 'runs' && id(fourth)) return `/runs/${fourth}`;
    return `/experiments/${second}`;
  }
  if (first === 'runs' && id(second)) return `/runs/${second}`;
  if (first === 'models' && second !== undefined) {
    if (third === 'versions' && fourth !== undefined && /^[1-9]\d{0,8}$/.test(fourth) && fifth === undefined) {
      return `/models/${segment(second)}/versions/${fourth}`;
    }
    return `/models/${segment(second)}`;
  }
  if (first === 'models') return '/models';
  if (first === 'experiments' || parts.length === 0) return '/experiments';
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
