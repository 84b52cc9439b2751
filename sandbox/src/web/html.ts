import { APP_BUNDLE_PATH, ENV_CONFIG_PATH } from './assets.ts';

/** SQL for a timestamp as the pages show it, "2026-01-31 14:05" (UTC), formatted by Postgres. */
export const timeText = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD HH24:MI')`;

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
header{display:flex;align-items:center;gap:1.5rem;padding:.75rem 1.5rem;background:#102a43;color:#fff}
header a{color:#d9e2ec;text-decoration:none}header a[aria-current=page]{color:#fff;font-weight:600}
header nav{display:flex;gap:1rem;flex:1}header form{margin:0}
main{max-width:960px;margin:1.5rem auto;padding:0 1.5rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #d9e2ec}
label{display:block;margin:.75rem 0 .25rem}input,select,button{font:inherit;padding:.35rem .5rem}
.filters{display:flex;gap:1.5rem;align-items:end;margin-bottom:1rem}.filters label{margin:0 0 .25rem}
[role=alert]{color:#a61b1b;font-weight:600}.card{background:#fff;padding:1.5rem;max-width:360px}
[role=tablist]{display:flex;gap:.25rem;border-bottom:1px solid #bcccdc;margin:1rem 0}
[role=tab]{border:0;background:none;padding:.5rem .9rem;cursor:pointer}[role=tab][aria-selected=true]{border-bottom:3px solid #102a43;font-weight:600}
[role=tabpanel]{background:#fff;padding:1rem}dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}
form.panel{background:#fff;padding:1rem 1.5rem;margin:1rem 0}fieldset{border:1px solid #d9e2ec;margin:.75rem 0}fieldset label{display:inline;margin:0 1rem 0 .25rem}
`;

export interface Layout {
  title: string;
  body: string;
  /** the signed-in user's email: shows the navigation and the sign-out button */
  signedInAs?: string;
  current?: string;
  /** data for the app's browser code (app.js); when given, the page loads that code after it has loaded */
  app?: Record<string, unknown>;
}

/** JSON inside a <script> element: nothing in it may close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replaceAll('<', '\\u003c');

/**
 * The app's code is requested once the page has loaded, like a hydrating bundle: the page is usable as HTML at
 * once and interactive when the code has arrived.
 */
function appScripts(app: Record<string, unknown>): string {
  return `<script type="application/json" id="app-config">${scriptJson(app)}</script>
<script>addEventListener('load',()=>{const s=document.createElement('script');s.src='${APP_BUNDLE_PATH}';document.body.append(s)})</script>`;
}

const NAV = [
  ['/dashboard', 'Dashboard'],
  ['/vehicles', 'Vehicles'],
  ['/handshakes', 'Handshakes'],
  ['/inspections', 'Inspections'],
] as const;

export function page({ title, body, signedInAs, current, app }: Layout): string {
  const header = signedInAs
    ? `<header><strong>Marsana Fleet</strong><nav aria-label="Main">${NAV.map(
        ([href, label]) => `<a href="${href}"${href === current ? ' aria-current="page"' : ''}>${label}</a>`,
      ).join('')}</nav><form method="post" action="/logout"><button type="submit">Sign out</button></form></header>`
    : '<header><strong>Marsana Fleet</strong></header>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Marsana Fleet</title><style>${STYLE}</style>
<script src="${ENV_CONFIG_PATH}" defer></script></head>
<body>${header}<main>${body}</main>${app ? appScripts(app) : ''}</body></html>`;
}

/** Markup that a table cell takes as it is (already escaped by whoever made it). */
export interface RawHtml {
  html: string;
}
export const raw = (html: string): RawHtml => ({ html });
const isRaw = (value: unknown): value is RawHtml => typeof value === 'object' && value !== null && 'html' in value;

/** A table with an accessible name; cells are escaped here unless they are `raw(…)`. */
export function dataTable(
  name: string,
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
  rowAttributes?: (index: number) => string,
  tableAttributes = '',
): string {
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((cells, i) => `<tr${rowAttributes ? ` ${rowAttributes(i)}` : ''}>${cells.map((cell) => `<td>${isRaw(cell) ? cell.html : escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table aria-label="${escapeHtml(name)}"${tableAttributes ? ` ${tableAttributes}` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
