/**
 * HTML for the enrollment pages. `html` is a tagged template that escapes every interpolated value
 * unless it is already `Html` (built by `html` itself), so user codes, device names and emails can
 * never inject markup — escaping is the default, not something each call site must remember.
 * Pages share the sign-in pages' layout and headers (auth/html.ts: strict CSP, no framing, no
 * caching), so a person going from sign-in to approving a device sees one site.
 */
import type { FastifyReply } from 'fastify';
import { escapeHtml, sendPage as sendLayout } from '../auth/html.js';

export class Html {
  constructor(readonly value: string) {}
}

type Interpolation = Html | string | number | null | undefined | readonly Html[];

function render(value: Interpolation): string {
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number') return escapeHtml(String(value));
  if (value === null || value === undefined) return '';
  if (value instanceof Html) return value.value;
  return value.map((v) => v.value).join('');
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]) : ''), ''));
}

export interface Page {
  title: string;
  body: Html;
}

export function sendPage(reply: FastifyReply, status: number, page: Page): FastifyReply {
  return sendLayout(reply, status, page.title, page.body.value);
}
