import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { adoptTokenFromFragment } from './api/auth.ts';
import { configureApi, loadApiBase } from './api/client.ts';
import { App } from './App.tsx';

// The sign-in link's token leaves the address bar before anything else runs.
adoptTokenFromFragment(window.location, window.history);
configureApi(await loadApiBase());
render(<App />, document.getElementById('app') as HTMLElement);
