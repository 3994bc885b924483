import { useEffect, useState } from 'preact/hooks';
import { forgetToken, readToken } from './api/auth.ts';
import { onUnauthorized } from './api/client.ts';
import { Missing } from './components/common.tsx';
import { CompareRuns } from './pages/CompareRuns.tsx';
import { ExperimentRuns } from './pages/ExperimentRuns.tsx';
import { Experiments } from './pages/Experiments.tsx';
import { ModelPage, Models, VersionPage } from './pages/models/index.ts';
import { NotFound } from './pages/NotFound.tsx';
import { RunPage } from './pages/RunPage.tsx';
import { SignIn, tokenEndedMessage } from './pages/SignIn.tsx';
import { Tokens } from './pages/Tokens.tsx';
import { isEntityId, isExperimentId, Link, navigate, parseRoute, paths, type Route, useLocation } from './router.ts';

/** The shell: sign-in gate, top bar, and one page per route. */
export function App() {
  const location = useLocation();
  const [signInMessage, setSignInMessage] = useState<string | undefined>();
  const [signedOut, setSignedOut] = useState(false);
  const route = parseRoute(location.path);
  const signedIn = readToken() !== undefined;

  useEffect(() => {
    // The API says only "a valid bearer token is required"; the sign-in page says what happened.
    onUnauthorized(() => {
      forgetToken();
      setSignInMessage(tokenEndedMessage);
      const here = window.location.pathname + window.location.search;
      if (!here.startsWith('/signin'))
        navigate(`${paths.signin()}?next=${encodeURIComponent(here)}`, { replace: true });
    });
  }, []);

  useEffect(() => {
    if (!signedIn && route.page !== 'signin') {
      const here = window.location.pathname + window.location.search;
      navigate(`${paths.signin()}?next=${encodeURIComponent(here)}`, { replace: true });
    }
  }, [signedIn, route.page]);

  if (route.page === 'signin' || !signedIn) {
    return (
      <SignIn
        message={signInMessage}
        notice={signedOut ? 'Signed out. The token is forgotten in this tab.' : undefined}
        onSignedIn={() => {
          setSignInMessage(undefined);
          setSignedOut(false);
          navigate(safeNext(location.query.get('next')), { replace: true });
        }}
      />
    );
  }

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link class="brand" href={paths.experiments()}>
          <img src="/favicon.svg" alt="" />
          <span class="brand-name">Stratus</span>
        </Link>
        <nav aria-label="Main">
          <Link href={paths.experiments()} aria-current={sectionOf(route, 'experiments')}>
            Experiments
          </Link>
          <Link href={paths.models()} aria-current={sectionOf(route, 'models')}>
            Models
          </Link>
          <Link href={paths.tokens()} aria-current={sectionOf(route, 'tokens')}>
            Tokens
          </Link>
        </nav>
        <div class="spacer" />
        <button
          type="button"
          class="small"
          onClick={() => {
            forgetToken();
            setSignInMessage(undefined);
            setSignedOut(true);
            navigate(paths.signin(), { replace: true });
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'experiments' && <Experiments />}
        {route.page === 'experiment' &&
          (isExperimentId(route.experimentId) ? (
            <ExperimentRuns experimentId={route.experimentId} key={route.experimentId} />
          ) : (
            <Missing what="experiment" id={route.experimentId} />
          ))}
        {route.page === 'run' &&
          (isEntityId(route.runId) ? (
            <RunPage runId={route.runId} key={route.runId} />
          ) : (
            <Missing what="run" id={route.runId} />
          ))}
        {route.page === 'compare' && <CompareRuns />}
        {route.page === 'models' && <Models />}
        {route.page === 'model' && <ModelPage modelName={route.modelName} key={route.modelName} />}
        {route.page === 'modelVersion' && (
          <VersionPage
            modelName={route.modelName}
            version={route.version}
            key={`${route.modelName}/${route.version}`}
          />
        )}
        {route.page === 'tokens' && <Tokens />}
        {route.page === 'notfound' && <NotFound />}
      </main>
    </>
  );
}

/** The nav entry of the section a page is in: `page` on the list itself, `true` on the pages under it. */
function sectionOf(route: Route, section: 'experiments' | 'models' | 'tokens') {
  if (route.page === section) return 'page';
  const under =
    section === 'models'
      ? route.page === 'model' || route.page === 'modelVersion'
      : section === 'experiments' && (route.page === 'experiment' || route.page === 'run' || route.page === 'compare');
  return under ? 'true' : undefined;
}

/** Only a path inside the app, never another origin. */
function safeNext(next: string | null) {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin')
    ? next
    : paths.experiments();
}
