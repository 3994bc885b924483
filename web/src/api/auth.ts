/**
 * The user's token lives in sessionStorage only: it goes when the tab closes,
 * is never put in a URL the app makes, and is never logged. `npm start` prints
 * a link carrying the bootstrap token in the URL fragment (which browsers never
 * send to a server); `adoptTokenFromFragment` stores it and strips it from the
 * address bar before anything else runs, so it does not stay in history.
 */
const storageKey = 'stratus.token';
const tokenShape = /^stratus_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/;

export const isWellFormedToken = (token: string) => tokenShape.test(token);

export function readToken(): string | undefined {
  try {
    return sessionStorage.getItem(storageKey) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeToken(token: string) {
  sessionStorage.setItem(storageKey, token);
}

export function forgetToken() {
  sessionStorage.removeItem(storageKey);
}

export function adoptTokenFromFragment(location: Location, history: History) {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token');
  if (token === null) return;
  history.replaceState(history.state, '', location.pathname + location.search);
  if (isWellFormedToken(token)) storeToken(token);
}
