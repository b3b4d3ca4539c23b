// The browser tests' side of `afb edit`: start the CLI as a user does and read the URL it prints,
// open the page in chromium and wait until it is ready, stop the CLIs at the end.
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startAfb, type RunningCli } from './cli.js';

/** Debian's chromium (scripts/setup.sh installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/** `afb edit` processes started by startEditorCli, for stopEditorClis. */
const running: RunningCli[] = [];

/** Start `afb --workers 1 --log-level warn [...globals] edit ...args` in `cwd`; resolves with the URL it prints. */
export function startEditorCli(cwd: string, args: readonly string[], globals: readonly string[] = []): Promise<string> {
  const cli = startAfb(['--workers', '1', '--log-level', 'warn', ...globals, 'edit', ...args], cwd);
  running.push(cli);
  return new Promise((resolve, reject) => {
    let stdout = '';
    cli.child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
    });
    void cli.done.then((r) => reject(new Error(`afb edit exited (${r.code ?? r.signal}): ${r.stderr}`)));
  });
}

/** Stop every `afb edit` started here (SIGTERM, as Ctrl+C would) and wait for each to exit. */
export async function stopEditorClis(): Promise<void> {
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGTERM');
    await cli.done;
  }
}

/** Open the editor at `url` in a new 1280x760 page and wait until it is ready; no page error may occur. */
export async function openEditorPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, acceptDownloads: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  expect(errors).toEqual([]);
  return page;
}
