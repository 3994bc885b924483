import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { forgetToken, isWellFormedToken, storeToken } from '../api/auth.ts';
import { ApiFailure, api, unwrap } from '../api/client.ts';
import { describeError } from '../hooks.ts';

/** A token the API refused, said as a person would (the API's own words: "a valid bearer token is required"). */
export const rejectedTokenMessage =
  'Stratus did not accept this token: it may be mistyped, revoked, or made for another Stratus.';

/** The tab's token refused on a page after sign-in: revoked, or the stack it was made for was reset. */
export const tokenEndedMessage =
  'Stratus no longer accepts the token this tab signed in with (revoked?). Paste a token to sign in again.';

/**
 * Paste a token; it is checked against the API before it is kept (in
 * sessionStorage). A refusal or a failure is said in words, and the token
 * field has focus again to paste another.
 */
export function SignIn(props: {
  /** Why the app came back here (a token the API no longer takes): said as an error. */
  message?: string | undefined;
  /** Said plainly, e.g. after Sign out. */
  notice?: string | undefined;
  onSignedIn: () => void;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const shown = error ?? props.message;
  // After a failure the button that had focus is disabled while checking: focus fell to <body>.
  // A layout effect, so focus is back in the same commit that shows the message, not a frame later.
  useLayoutEffect(() => {
    if (shown && !busy) field.current?.focus();
  }, [shown, busy]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const candidate = token.trim();
    if (!isWellFormedToken(candidate)) {
      setError('That does not look like a Stratus token (stratus_<id>_<secret>).');
      return;
    }
    setBusy(true);
    setError(undefined);
    storeToken(candidate);
    try {
      unwrap(await api.GET('/api/v1/experiments', { params: { query: { max_results: 1 } } }));
      props.onSignedIn();
    } catch (failure) {
      forgetToken();
      setError(failure instanceof ApiFailure && failure.status === 401 ? rejectedTokenMessage : describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin" id="main">
      <div class="card">
        <form class="body" onSubmit={submit}>
          <h1>
            <img src="/favicon.svg" alt="" width={26} height={26} />
            Sign in to Stratus
          </h1>
          <p class="muted" style={{ margin: 0 }}>
            Paste an API token. It stays in this browser tab only and is forgotten when the tab closes.
          </p>
          <label class="field">
            Token
            <input
              ref={field}
              type="password"
              name="token"
              autocomplete="off"
              spellcheck={false}
              placeholder="stratus_…"
              value={token}
              onInput={(event) => setToken(event.currentTarget.value)}
              aria-invalid={shown ? 'true' : undefined}
              aria-describedby={shown ? 'signin-error' : undefined}
              required
            />
          </label>
          {shown && (
            <div class="error-box" id="signin-error" role="alert">
              {shown}
            </div>
          )}
          {!shown && props.notice && (
            <div class="notice" role="status">
              {props.notice}
            </div>
          )}
          <button class="primary" type="submit" disabled={busy}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
          <p class="muted" style={{ margin: 0, fontSize: '12.5px' }}>
            Running locally? <code>npm start</code> prints a link that signs you in, and the token is in{' '}
            <code>.stratus/token</code>.
          </p>
        </form>
      </div>
    </main>
  );
}
