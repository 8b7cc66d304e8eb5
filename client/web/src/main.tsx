import { render } from 'preact';
import { initI18n } from './i18n/i18n.ts';
import { App, preloadScreens } from './app.tsx';
import { listenForOpenRequests, registerServiceWorker } from './lib/push.ts';
import { parseRoute } from './lib/router.ts';
import { applyTheme, storedTheme } from './lib/theme.ts';
import { AppSession } from './state/session.ts';
import './styles.css';

// The colour theme chosen on this device (else the system's) before the first paint.
applyTheme(storedTheme(), { remember: false });
const session = new AppSession();
// The officer's language (this device's choice, else the browser's) is loaded before the first paint.
await initI18n();
render(<App session={session} />, document.getElementById('app')!);
// An enrolment link starts a fresh session; anything else resumes the last one (keys stay locked).
if (parseRoute(location.hash).name === 'enrol') session.state.set({ phase: 'signed-out', me: null, notice: null });
else void session.boot();
// The service worker shows push notifications and opens their item here; it caches nothing.
listenForOpenRequests();
void registerServiceWorker();
// Issue 15 §9: the SDK (libsodium) and the screens behind the sign-in form are fetched once it is painted.
requestAnimationFrame(() => setTimeout(() => void preloadScreens(), 0));
