// `afb edit IMAGE`: the guidance editor in the browser (a local web server; prints its URL).
import { EDIT_OPTIONS } from '../../configs/edit-options.js';
import { openInBrowser } from '../editor/open-browser.js';
import { startEditor } from '../editor/start.js';
import type { CommandContext } from './context.js';
import { defineCommand } from './define-command.js';

async function run(image: string, cli: Record<string, unknown>, ctx: CommandContext): Promise<void> {
  const o = ctx.resolve('edit', EDIT_OPTIONS, cli);
  const editor = await startEditor(image, o, { workers: ctx.globals.workers, threads: ctx.globals.threads, log: ctx.log });
  const { url } = editor.server;
  if (ctx.globals.json) ctx.emitJson({ url, host: editor.server.host, port: editor.server.port, image, width: editor.session.width, height: editor.session.height });
  else process.stdout.write(`${url}\n`);
  ctx.log.info(`afb edit: ${image} at ${url} (Ctrl+C to stop)`);
  if (o.host !== '127.0.0.1' && o.host !== 'localhost') ctx.log.warn(`listening on ${o.host}: anyone who can reach it and has the URL can use the editor`);
  if (o.open) openInBrowser(url, (m) => ctx.log.warn(m));
  // Runs until SIGINT/SIGTERM (the CLI's interrupt handling fires this signal; see interrupt.ts).
  const stop = ctx.cancellable();
  const reason = await new Promise<unknown>((resolve) => {
    if (stop.aborted) resolve(stop.reason);
    else stop.addEventListener('abort', () => resolve(stop.reason), { once: true });
  });
  ctx.log.info(`afb edit: ${(reason as Error)?.message ?? 'interrupted'}, stopping`);
  await editor.close();
}

/** The `edit` command. */
export const editCommand = defineCommand('edit', 'guidance editor in the browser: draw regions, give each a direction, watch the animation, export (prints a local URL)', {
  args: [['<image>', 'blurry image (PNG/JPEG)']],
  records: EDIT_OPTIONS,
  run: ([image], cli, ctx) => run(image as string, cli, ctx),
});
