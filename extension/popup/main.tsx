/** Popup entry: sets the document's language and direction from the browser's UI, then renders. */
import { render } from 'preact';
import { browser } from 'wxt/browser';
import { t } from '../lib/i18n.js';
import { App } from './components/App.js';

document.documentElement.lang = browser.i18n.getUILanguage();
document.documentElement.dir = browser.i18n.getMessage('@@bidi_dir');
document.title = t('extName');

const root = document.getElementById('app');
if (root) render(<App />, root);
