/**
 * The smallest safe way to build the few server-rendered pages of sign-in: every interpolated
 * value goes through escapeHtml (text and double-quoted attributes alike), and the page ships with
 * a CSP that allows no script at all and only the one inline stylesheet, pinned by its hash.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1d21}
main{max-width:24rem;margin:10vh auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin:0 0 1rem}
label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input{box-sizing:border-box;width:100%;padding:.55rem;font:inherit;border:1px solid #8a8f98;border-radius:4px}
input:focus,button:focus,a:focus{outline:3px solid #2f6fde;outline-offset:2px}
button,.button{display:block;box-sizing:border-box;width:100%;margin-top:1.2rem;padding:.6rem;font:inherit;font-weight:600;text-align:center;text-decoration:none;border:0;border-radius:4px;background:#1f5cc4;color:#fff;cursor:pointer}
.secondary{background:#e8ebf0;color:#1b1d21}
.error{padding:.6rem;border-radius:4px;background:#fdecea;color:#8a1c12}
.or{text-align:center;color:#5a5f68;margin:1.2rem 0 0}
`;

const STYLE_HASH = createHash('sha256').update(STYLE, 'utf8').digest('base64');

const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Not no-referrer: under it Chromium sends `Origin: null` on same-origin form POSTs, and the
  // sign-in form's origin check would refuse every real browser.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** `body` must already be escaped HTML. */
export function sendPage(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Waygate</title><style>${STYLE}</style></head>
<body><main>
${body}
</main></body>
</html>
`;
  return reply.code(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(html);
}
