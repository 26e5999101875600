/** curl as the client: the real thing people and scripts use to talk through a proxy. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CurlResult {
  exit: number;
  stdout: string;
  stderr: string;
}

export async function curl(args: string[]): Promise<CurlResult> {
  try {
    const { stdout, stderr } = await run('curl', ['-sS', '--max-time', '20', ...args], { maxBuffer: 16 * 1024 * 1024 });
    return { exit: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { exit: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Splits `curl -i` output into status, headers (lower-case names, repeated ones kept) and body. */
export function response(stdout: string): { status: number; headers: [string, string][]; body: string } {
  const end = stdout.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = stdout.slice(0, end).split('\r\n');
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
  });
  return { status: Number(statusLine.split(' ')[1]), headers, body: stdout.slice(end + 4) };
}
