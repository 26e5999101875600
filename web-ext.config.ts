import { defineWebExtConfig } from 'wxt';

// `wxt` dev must not try to launch a browser of its own: tests and `npm start` open Chromium themselves.
export default defineWebExtConfig({ disabled: true });
