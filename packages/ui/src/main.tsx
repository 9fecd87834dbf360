import { render } from 'preact';
import { App } from './app.js';
import { SessionProvider } from './session/session.js';
import './styles.css';

render(
  <SessionProvider>
    <App />
  </SessionProvider>,
  document.getElementById('app')!,
);
