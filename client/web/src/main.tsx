import { render } from 'preact';
import { App } from './app.tsx';
import { listenForOpenRequests, registerServiceWorker } from './lib/push.ts';
import { parseRoute } from './lib/router.ts';
import { AppSession } from './state/session.ts';
import './styles.css';

const session = new AppSession();
render(<App session={session} />, document.getElementById('app')!);
// An enrolment link starts a fresh session; anything else resumes the last one (keys stay locked).
if (parseRoute(location.hash).name === 'enrol') session.state.set({ phase: 'signed-out', me: null, notice: null });
else void session.boot();
// The service worker shows push notifications and opens their item here; it caches nothing.
listenForOpenRequests();
void registerServiceWorker();
