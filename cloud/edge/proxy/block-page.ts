/**
 * The page a browser shows when policy blocks a site: what was blocked, by which rule, and whom to
 * ask. Only for requests that accept HTML; other clients get the JSON refusal with its code. HTTPS
 * sites are blocked at CONNECT, where browsers show their own error instead of any proxy page.
 */
import type { ServerResponse } from 'node:http';

export interface Blocked {
  readonly host: string;
  readonly port: number;
  readonly ruleId: string | null;
  readonly ruleDescription: string | undefined;
  readonly user: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

export function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/html\b/i.test(accept);
}

export function blockPageHtml(blocked: Blocked): string {
  const rule =
    blocked.ruleId === null
      ? 'No rule allows it, and your organisation blocks what no rule allows.'
      : `Rule <code>${escapeHtml(blocked.ruleId)}</code>${blocked.ruleDescription ? ` — ${escapeHtml(blocked.ruleDescription)}` : ''}.`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Blocked by your organisation</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh; background: #f6f7f9; color: #1d2330; }
  main { max-width: 36rem; padding: 2rem; background: #fff; border-radius: 12px; box-shadow: 0 1px 4px rgb(0 0 0 / 0.1); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  code { background: #eef0f4; padding: 0 0.3em; border-radius: 4px; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 1rem; }
  dt { color: #5a6275; }
</style>
</head>
<body>
<main>
<h1>This site is blocked by your organisation</h1>
<p>Waygate did not open <strong>${escapeHtml(blocked.host)}</strong> because your organisation's policy blocks it.</p>
<dl>
  <dt>Site</dt><dd>${escapeHtml(`${blocked.host}:${blocked.port}`)}</dd>
  <dt>Why</dt><dd id="rule" data-rule-id="${escapeHtml(blocked.ruleId ?? '')}">${rule}</dd>
  <dt>Signed in as</dt><dd>${escapeHtml(blocked.user)}</dd>
</dl>
<p>If you need this site for your work, ask your administrator and mention the rule above.</p>
</main>
</body>
</html>
`;
}

export function sendBlockPage(res: ServerResponse, blocked: Blocked): void {
  const html = blockPageHtml(blocked);
  res.shouldKeepAlive = false;
  res.writeHead(403, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(html)),
    'cache-control': 'no-store',
    'x-waygate-code': 'ACCESS_BLOCKED',
    connection: 'close',
  });
  res.end(html);
}
