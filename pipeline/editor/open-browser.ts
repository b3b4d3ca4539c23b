// --open: hand a URL to the desktop's default browser (a detached process afb does not wait for).
import { spawn } from 'node:child_process';

/** The command that opens a URL on this platform. */
export function openCommand(url: string, platform: NodeJS.Platform = process.platform): [string, string[]] {
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', url]]; // "" = the window title start expects first
  return ['xdg-open', [url]];
}

/** Open `url`; a failure (no browser, no desktop) is reported to `warn`, never thrown. */
export function openInBrowser(url: string, warn: (message: string) => void): void {
  const [command, args] = openCommand(url);
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', (error) => warn(`could not open a browser (${command}: ${error.message}); open the URL by hand`));
    child.unref();
  } catch (error) {
    warn(`could not open a browser (${(error as Error).message}); open the URL by hand`);
  }
}
