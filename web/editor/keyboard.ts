// Keyboard shortcuts of the editor (ignored while typing in a field).
import type { App } from './app.js';
import { byId } from './panels.js';
import { closeDrawing } from './tools.js';

/** Delete the selected vertex (a polygon keeps at least 3) or else the selected region. */
export function deleteSelection(app: App): void {
  const { state } = app;
  const i = state.selection.region;
  if (i === null) return;
  const r = state.regions[i]!;
  const v = state.selection.vertex;
  if (v !== null && r.shapeType === 'polygon' && r.points.length > 3) {
    state.edit(() => r.points.splice(v, 1));
    state.selection.vertex = null;
  } else {
    state.edit((regions) => regions.splice(i, 1));
    state.selection = { region: null, vertex: null };
  }
  state.changed();
}

/** Install the shortcuts (the page's Keys panel lists them). */
export function attachKeyboard(app: App): void {
  window.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement;
    if (target instanceof HTMLInputElement && target.type !== 'range' && target.type !== 'checkbox') return;
    if (target instanceof HTMLSelectElement) return;
    const ctrl = e.ctrlKey || e.metaKey;
    const key = e.key;
    const { state, player, view } = app;
    let handled = true;
    if (ctrl && key.toLowerCase() === 'z') void (e.shiftKey ? state.redo() : state.undo());
    else if (ctrl && key.toLowerCase() === 'y') state.redo();
    else if (ctrl && key.toLowerCase() === 'e') void app.exportFiles();
    else if (ctrl && key.toLowerCase() === 'o') byId('import').click();
    else if (ctrl) handled = false;
    else if (key === 'd' || key === 'p') app.setMode('draw');
    else if (key === 'e' || key === 'v') app.setMode('edit');
    else if (key === 'Enter') closeDrawing(app);
    else if (key === 'Escape') {
      if (state.drawing) state.drawing = null;
      else state.selection = { region: null, vertex: null };
      state.changed();
    } else if (key === 'Delete' || key === 'Backspace') {
      if (state.drawing) {
        state.drawing.pop();
        if (state.drawing.length === 0) state.drawing = null;
        state.changed();
      } else deleteSelection(app);
    } else if (/^[0-9]$/.test(key)) app.pickDirection(Number(key));
    else if (key === '[' || key === ']') {
      const n = app.vocabulary.length;
      app.pickDirection((app.current + (key === ']' ? 1 : n - 1)) % n);
    } else if (key === 'a') void app.animate();
    else if (key === 's') void app.suggest();
    else if (key === ' ') {
      app.setSpace(true);
      player.toggle();
      byId('play').textContent = player.playing ? 'Pause' : 'Play';
    } else if (key === 'ArrowRight' || key === 'ArrowLeft') player.seek(player.current + (key === 'ArrowRight' ? 1 : -1));
    else if (key === 'b') app.setShowAnimation(!app.showAnimation);
    else if (key === 'o') {
      app.overlayOn = !app.overlayOn;
      (byId('overlay-on') as HTMLInputElement).checked = app.overlayOn;
      app.redraw();
    } else if (key === 'm') app.setArrows(!app.arrowsOn);
    else if (key === 'f') {
      view.fit();
      app.redraw();
    } else if (key === '+' || key === '=' || key === '-') {
      const { width, height } = view.size;
      view.zoomAt(width / 2, height / 2, key === '-' ? 1 / 1.25 : 1.25);
      app.redraw();
    } else handled = false;
    if (handled) e.preventDefault();
  });
  window.addEventListener('keyup', (e) => {
    if (e.key === ' ') app.setSpace(false);
  });
}
