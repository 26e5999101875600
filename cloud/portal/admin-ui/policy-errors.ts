/**
 * From the policy editor's text and the portal's validation errors (`{path, message}`) to what an
 * admin can act on: the line each error points at. Also JSON syntax errors, which never reach the
 * portal, with their line and column.
 */

export interface PolicyIssue {
  /** Where in the document, as the portal reports it: "a.b.0.c", "a.b[0].c", "/a/b/0/c" or segments. */
  path: string | readonly (string | number)[];
  message: string;
}

export interface LocatedIssue {
  /** The path as people read it: "forwardingProfiles[0].actions.trusted". */
  label: string;
  message: string;
  /** 1-based line in the editor, or null when the path is not in the text. */
  line: number | null;
}

export type JsonCheck = { ok: true; value: unknown } | { ok: false; message: string; line: number | null; column: number | null };

/** Parses the editor text; on a syntax error, says where (V8 reports the offset in its message). */
export function parseJson(text: string): JsonCheck {
  try {
    const value: unknown = JSON.parse(text);
    return { ok: true, value };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const lineCol = /line (\d+) column (\d+)/.exec(message);
    if (lineCol) return { ok: false, message: cleanSyntaxMessage(message), line: Number(lineCol[1]), column: Number(lineCol[2]) };
    const position = /position (\d+)/.exec(message);
    if (position) {
      const { line, column } = lineAndColumn(text, Number(position[1]));
      return { ok: false, message: cleanSyntaxMessage(message), line, column };
    }
    if (/end of (JSON|data) input/i.test(message)) {
      const { line, column } = lineAndColumn(text, text.length);
      return { ok: false, message: cleanSyntaxMessage(message), line, column };
    }
    return { ok: false, message: cleanSyntaxMessage(message), line: null, column: null };
  }
}

/** Drops V8's offset suffix: the UI shows line and column itself. */
function cleanSyntaxMessage(message: string): string {
  return message.replace(/\s*(in JSON )?at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '');
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** Path segments from any of the shapes validators write paths in. */
export function pathSegments(path: PolicyIssue['path']): string[] {
  if (typeof path !== 'string') return path.map(String);
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split(/[./]/)
    .filter((s) => s !== '');
}

/** "forwardingProfiles[0].actions.trusted": indices in brackets, as in JavaScript. */
export function pathLabel(segments: readonly string[]): string {
  if (segments.length === 0) return '(document)';
  return segments.reduce((label, s) => (/^\d+$/.test(s) ? `${label}[${s}]` : label ? `${label}.${s}` : s), '');
}

/**
 * The line of every value in `text`, keyed by its path joined with "\u0000" (root is ""): the line
 * of the member's key, or of an array element's first character. Text that is not JSON yields
 * what was read before the error.
 */
export function valueLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;

  const skipSpace = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') line += 1;
      else if (c !== ' ' && c !== '\t' && c !== '\r') return;
      i += 1;
    }
  };
  const readString = (): string => {
    const start = i;
    i += 1;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i += 1;
    try {
      const parsed: unknown = JSON.parse(text.slice(start, i));
      return typeof parsed === 'string' ? parsed : '';
    } catch {
      return '';
    }
  };
  const readValue = (path: string[], depth: number): void => {
    if (depth > 200) throw new Error('too deep');
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i += 1;
      for (;;) {
        skipSpace();
        if (text[i] === '}') return void (i += 1);
        if (text[i] !== '"') throw new Error('expected key');
        const keyLine = line;
        const key = readString();
        skipSpace();
        if (text[i] !== ':') throw new Error('expected colon');
        i += 1;
        const child = [...path, key];
        lines.set(child.join('\u0000'), keyLine);
        readValue(child, depth + 1);
        skipSpace();
        if (text[i] === ',') i += 1;
        else if (text[i] === '}') return void (i += 1);
        else throw new Error('expected , or }');
      }
    }
    if (c === '[') {
      i += 1;
      for (let index = 0; ; index += 1) {
        skipSpace();
        if (text[i] === ']') return void (i += 1);
        const child = [...path, String(index)];
        lines.set(child.join('\u0000'), line);
        readValue(child, depth + 1);
        skipSpace();
        if (text[i] === ',') i += 1;
        else if (text[i] === ']') return void (i += 1);
        else throw new Error('expected , or ]');
      }
    }
    if (c === '"') return void readString();
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!literal) throw new Error('unexpected token');
    i += literal[0].length;
  };

  skipSpace();
  lines.set('', line);
  try {
    readValue([], 0);
  } catch {
    // Partial map: the caller falls back to the nearest ancestor that was read.
  }
  return lines;
}

/**
 * Each issue with the line it points at. A path that is not in the text (a required member that is
 * missing) points at its nearest ancestor that is: that is where the member has to be added.
 */
export function locateIssues(text: string, issues: readonly PolicyIssue[]): LocatedIssue[] {
  const lines = valueLines(text);
  return issues.map((issue) => {
    const segments = pathSegments(issue.path);
    let line: number | null = null;
    for (let n = segments.length; n >= 0 && line === null; n -= 1) line = lines.get(segments.slice(0, n).join('\u0000')) ?? null;
    return { label: pathLabel(segments), message: issue.message, line };
  });
}
