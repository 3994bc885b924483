import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { adoptTokenFromFragment } from './api/auth.ts';
import { configureApi, loadApiBase } from './api/client.ts';
import { App } from './App.tsx';
import { pathOfMlflowLink } from './mlflow-links.ts';
import { navigate } from './router.ts';

// The sign-in link's token leaves the address bar before anything else runs.
adoptTokenFromFragment(window.location, window.history);
// A link the mlflow client printed (`/#/experiments/<id>/runs/<id>`) opens the same view here.
const openMlflowLink = () => {
  const path = pathOfMlflowLink(window.location.hash);
  if (path !== undefined) navigate(path, { replace: true });
};
openMlflowLink();
window.addEventListener('hashchange', openMlflowLink);
configureApi(await loadApiBase());
render(<App />, document.getElementById('app') as HTMLElement);
