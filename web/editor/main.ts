// Entry point of the editor page: build the App, wire the controls, keys and mouse tools, and
// expose a small read-only hook (window.afbEditor) for scripts and the browser tests.
import { App } from './app.js';
import { attachKeyboard, deleteSelection } from './keyboard.js';
import { byId } from './panels.js';
import type { Directions, EditorHook, Region } from './protocol.js';
import { attachTools } from './tools.js';

declare global {
  interface Window {
    afbEditor?: EditorHook;
  }
}

function input(id: string): HTMLInputElement {
  return byId<HTMLInputElement>(id);
}

async function start(): Promise<void> {
  const canvas = byId<HTMLCanvasElement>('view');
  const app = await App.create(canvas);
  const { info, player, state } = app;
  byId('image-name').textContent = `${info.image.name} · ${info.image.width}x${info.image.height}`;
  input('samples').value = String(info.samples);
  input('seed').value = String(info.seed);
  byId('export-note').textContent = info.outputDir ? `Export also writes to ${info.outputDir}` : '';
  if (info.suggestError) byId('suggest').title = `Unavailable: ${info.suggestError}`;
  if (info.motion) {
    byId('arrows-row').hidden = false;
    const exposure = info.motion.exposure === 'auto' ? 'exposure estimated at each Animate' : `exposure ${info.motion.exposure}`;
    byId('motion-note').textContent = `Known motion: ${info.motion.file}. Animate: ${info.motion.method}, ${exposure}.`;
  }

  byId('mode-draw').addEventListener('click', () => app.setMode('draw'));
  byId('mode-edit').addEventListener('click', () => app.setMode('edit'));
  byId('undo').addEventListener('click', () => state.undo());
  byId('redo').addEventListener('click', () => state.redo());
  byId('delete').addEventListener('click', () => deleteSelection(app));
  byId('fit').addEventListener('click', () => {
    app.view.fit();
    app.redraw();
  });
  byId('animate').addEventListener('click', () => void app.animate());
  byId('suggest').addEventListener('click', () => void app.suggest());
  byId('export').addEventListener('click', () => void app.exportFiles());
  input('import').addEventListener('change', () => {
    const file = input('import').files?.[0];
    if (file) void app.importFile(file);
    input('import').value = '';
  });
  byId<HTMLSelectElement>('directions').addEventListener('change', (e) => app.setDirections(Number((e.target as HTMLSelectElement).value) as Directions));
  input('overlay-on').addEventListener('change', () => {
    app.overlayOn = input('overlay-on').checked;
    app.redraw();
  });
  input('opacity').addEventListener('input', () => {
    app.scene.overlayOpacity = Number(input('opacity').value);
    app.redraw();
  });
  input('arrows-on').addEventListener('change', () => app.setArrows(input('arrows-on').checked));
  input('regions-on').addEventListener('change', () => {
    app.scene.showRegions = input('regions-on').checked;
    app.redraw();
  });
  input('show-animation').addEventListener('change', () => app.setShowAnimation(input('show-animation').checked));
  byId('play').addEventListener('click', () => {
    player.toggle();
    byId('play').textContent = player.playing ? 'Pause' : 'Play';
  });
  input('pingpong').addEventListener('change', () => (player.pingPong = input('pingpong').checked));
  input('frame-slider').addEventListener('input', () => {
    app.setShowAnimation(true);
    player.seek(Number(input('frame-slider').value));
  });
  input('speed').addEventListener('input', () => {
    player.fps = Number(input('speed').value);
    byId('speed-label').textContent = `${player.fps} fps`;
  });
  attachTools(app);
  attachKeyboard(app);
  new ResizeObserver(() => app.redraw()).observe(canvas);
  app.setMode('draw');
  window.afbEditor = {
    regions: () => JSON.parse(JSON.stringify(state.regions)) as Region[],
    toClient: (x, y) => {
      const [cx, cy] = app.view.toClient(x, y);
      const r = canvas.getBoundingClientRect();
      return [cx + r.left, cy + r.top];
    },
    shownFrames: () => [...app.shownFrames].sort((a, b) => a - b),
    directions: () => app.directions,
    motionArrows: () => app.drawnArrows.map((a) => ({ ...a })),
  };
  document.body.dataset['ready'] = 'true';
  app.status('Draw a region (click points, click the first point to close), pick its direction, then Animate');
}

start().catch((error: unknown) => {
  const el = document.getElementById('status');
  if (el) {
    el.textContent = `The editor could not start: ${(error as Error).message}`;
    el.className = 'error';
  }
});
