// The editor page's state and actions: directions, the overlay from the server, Animate,
// Suggest, Export and Import. main.ts wires the controls and keys to these.
import { getJson, loadImage, post } from './api.js';
import { byId, renderExports, renderPalette, renderRegionList, renderSuggestions } from './panels.js';
import { Player } from './player.js';
import type { DrawnArrow } from './motion-arrows.js';
import type { Animation, DirectionInfo, Directions, ExportResult, GuidanceInfo, ImportResult, MotionArrows, SessionInfo, Suggestion } from './protocol.js';
import { render, type Scene } from './render.js';
import { EditorState } from './state.js';
import type { Mode, ToolHost } from './tools.js';
import { View } from './view.js';

/** Delay before the overlay is asked for after an edit (ms): one request per burst of edits. */
const OVERLAY_DELAY = 120;

/** The page. */
export class App implements ToolHost {
  readonly state = new EditorState();
  readonly player: Player;
  mode: Mode = 'draw';
  directions: Directions;
  /** Vocabulary index given to new regions. */
  current = 1;
  showAnimation = false;
  scene: Scene = { picture: null, overlay: null, overlayOpacity: 0.45, showRegions: true, directions: [], cursor: null, arrows: null, quadrants: [] };
  overlayOn = true;
  /** Show the known motion's arrows (--motion). */
  arrowsOn = true;
  /** The composed motion's arrows from the last overlay answer. */
  private arrows: MotionArrows | null = null;
  /** The arrows the last render drew (the tests read this). */
  drawnArrows: DrawnArrow[] = [];
  /** Frames shown since the last animation was loaded (the tests read this). */
  readonly shownFrames = new Set<number>();
  private overlayTimer = 0;
  private overlayRequest = 0;
  private stopThumbs: () => void = () => undefined;
  private space = false;

  private constructor(readonly info: SessionInfo, readonly view: View, readonly blurry: HTMLImageElement) {
    this.directions = info.directions;
    this.scene.quadrants = info.vocabularies['4'] ?? [];
    this.player = new Player((i) => this.onFrame(i));
    this.state.onChange(() => {
      this.refreshPanels();
      this.scheduleOverlay();
      this.redraw();
    });
  }

  /** Load the session and the image, fit the view. */
  static async create(canvas: HTMLCanvasElement): Promise<App> {
    const info = await getJson<SessionInfo>('api/session');
    const blurry = await loadImage('image');
    const app = new App(info, new View(canvas, info.image.width, info.image.height), blurry);
    app.view.resize();
    app.view.fit();
    if (info.regions.length > 0) app.state.replace(info.regions);
    app.setDirections(info.directions);
    return app;
  }

  get vocabulary(): readonly DirectionInfo[] {
    return this.info.vocabularies[String(this.directions)]!;
  }

  currentLabel(): string {
    return this.vocabulary[this.current]!.label;
  }

  setCursor(p: [number, number] | null): void {
    this.scene.cursor = p;
  }

  spaceHeld(): boolean {
    return this.space;
  }

  setSpace(held: boolean): void {
    this.space = held;
  }

  redraw(): void {
    this.scene.picture = this.showAnimation && this.player.frame ? this.player.frame : this.blurry;
    this.drawnArrows = render(this.view, this.state, { ...this.scene, overlay: this.overlayOn ? this.scene.overlay : null, arrows: this.arrowsOn ? this.arrows : null });
  }

  /** Show or hide the motion arrows. */
  setArrows(on: boolean): void {
    this.arrowsOn = on;
    (byId('arrows-on') as HTMLInputElement).checked = on;
    this.redraw();
  }

  status(text: string, kind: '' | 'busy' | 'error' = ''): void {
    const el = byId('status');
    el.textContent = text;
    el.className = kind;
  }

  /** Run an action with a busy status; errors are shown, not thrown. */
  async busy<T>(what: string, action: () => Promise<T>): Promise<T | undefined> {
    this.status(`${what}…`, 'busy');
    try {
      return await action();
    } catch (error) {
      this.status(`${what} failed: ${(error as Error).message}`, 'error');
      return undefined;
    }
  }

  setMode(mode: Mode): void {
    this.mode = mode;
    if (mode === 'edit' && this.state.drawing) this.state.drawing = null;
    byId('mode-draw').classList.toggle('active', mode === 'draw');
    byId('mode-edit').classList.toggle('active', mode === 'edit');
    this.view.canvas.classList.toggle('edit', mode === 'edit');
    this.state.changed();
  }

  setDirections(d: Directions): void {
    const old = this.vocabulary[this.current];
    this.directions = d;
    // Keep the nearest direction of the new vocabulary selected.
    this.current = old === undefined ? 1 : old.angle === null ? 0 : nearest(this.vocabulary, old.angle);
    (byId('directions') as HTMLSelectElement).value = String(d);
    byId('directions-note').textContent = this.info.motion
      ? 'Regions override the known motion: a direction keeps each pixel\'s speed and turns it that way; static stops it.'
      : d === this.info.modelDirections ? '' : `Animate uses the model's ${this.info.modelDirections} directions (each label quantised to them); Export writes this vocabulary.`;
    this.state.changed();
  }

  /** Give new regions (and the selected one) direction `index` of the vocabulary. */
  pickDirection(index: number): void {
    if (index < 0 || index >= this.vocabulary.length) return;
    this.current = index;
    const r = this.state.selected;
    const label = this.vocabulary[index]!.label;
    if (r && r.label !== label) this.state.edit(() => (r.label = label));
    else this.state.changed();
  }

  refreshPanels(): void {
    renderPalette(byId('palette'), this.vocabulary, this.current, (i) => this.pickDirection(i));
    renderRegionList(byId('regions'), this.state.regions, this.scene.directions, this.state.selection.region, (i) => {
      this.state.selection = { region: i, vertex: null };
      this.setMode('edit');
    });
  }

  private scheduleOverlay(): void {
    window.clearTimeout(this.overlayTimer);
    this.overlayTimer = window.setTimeout(() => void this.fetchOverlay(), OVERLAY_DELAY);
  }

  /** Ask the server for the guidance of the regions (the CLI's rasteriser) and show it. */
  async fetchOverlay(): Promise<void> {
    const n = ++this.overlayRequest;
    try {
      const g = await post<GuidanceInfo>('api/guidance', this.request());
      const img = await loadImage(g.overlay);
      if (n !== this.overlayRequest) return; // a newer edit is on its way
      this.scene.overlay = img;
      this.arrows = g.arrows;
      this.scene.directions = g.vocabularyIndex.map((i) => this.vocabulary[i]);
      byId('moving').textContent = `${(100 * g.movingFraction).toFixed(1)}% of the image moves`;
      byId('view').dataset['overlay'] = String(n);
      this.refreshPanels();
      this.redraw();
    } catch (error) {
      if (n === this.overlayRequest) this.status((error as Error).message, 'error');
    }
  }

  request(): { regions: EditorState['regions']; directions: Directions } {
    return { regions: this.state.regions, directions: this.directions };
  }

  private onFrame(i: number): void {
    this.shownFrames.add(i);
    const box = byId('player');
    box.dataset['frame'] = String(i);
    (byId('frame-slider') as HTMLInputElement).value = String(i);
    byId('frame-label').textContent = `${i + 1} / ${this.player.frames.length}`;
    byId('play').textContent = this.player.playing ? 'Pause' : 'Play';
    this.redraw();
  }

  /** Show an animation's frames in the view and play them. */
  async showFrames(a: Animation): Promise<void> {
    const frames = await Promise.all(a.frames.map((f) => loadImage(f)));
    this.shownFrames.clear();
    byId('player').dataset['frames'] = String(frames.length);
    this.setShowAnimation(true);
    this.player.load(frames);
  }

  setShowAnimation(on: boolean): void {
    this.showAnimation = on;
    (byId('show-animation') as HTMLInputElement).checked = this.showAnimation;
    this.redraw();
  }

  async animate(): Promise<void> {
    if (this.state.drawing) return this.status('Close the polygon first (Enter)', 'error');
    const a = await this.busy('Animating', () => post<Animation>('api/animate', this.request()));
    if (!a) return;
    await this.showFrames(a);
    const how = this.info.motion ? ` (${this.info.motion.method}${a.exposure !== undefined ? `, exposure ${a.exposure.toFixed(2)}` : ''})` : '';
    this.status(`Animated in ${a.seconds.toFixed(1)} s${how}`);
  }

  async suggest(): Promise<void> {
    if (this.info.suggestError) return this.status(`Suggest is unavailable: ${this.info.suggestError}`, 'error');
    const count = Number((byId('samples') as HTMLInputElement).value);
    const seed = Number((byId('seed') as HTMLInputElement).value);
    const list = await this.busy(`Sampling ${count} guidance maps`, () => post<Suggestion[]>('api/suggest', { count, seed }));
    if (!list) return;
    this.stopThumbs();
    this.stopThumbs = await renderSuggestions(byId('suggestions'), list, (s) => void this.useSuggestion(s));
    this.status(`${list.length} suggestions: click one to edit it`);
  }

  async useSuggestion(s: Suggestion): Promise<void> {
    this.state.replace(s.regions);
    this.setDirections(this.info.modelDirections);
    this.setMode('edit');
    await this.showFrames(s);
    this.status(`Sample ${s.sample}: ${s.regions.length} regions`);
  }

  async exportFiles(): Promise<void> {
    const r = await this.busy('Exporting', () => post<ExportResult>('api/export', this.request()));
    if (!r) return;
    renderExports(byId('exports'), r);
    byId('export-note').textContent = r.savedTo ? `Also written to ${r.savedTo}` : 'Click a file to download it.';
    this.status(`Exported ${r.files.length} files`);
  }

  async importFile(file: File): Promise<void> {
    const text = await file.text();
    const r = await this.busy(`Importing ${file.name}`, () => post<ImportResult>('api/import', text));
    if (!r) return;
    this.state.replace(r.regions);
    this.status(`Imported ${r.regions.length} regions${r.scale ? ` (scaled by ${r.scale[0].toFixed(3)} x ${r.scale[1].toFixed(3)})` : ''}`);
  }
}

/** Index of the vocabulary arrow nearest to a screen angle. */
function nearest(vocabulary: readonly DirectionInfo[], angle: number): number {
  let best = 1;
  let bestD = Infinity;
  vocabulary.forEach((d, i) => {
    if (d.angle === null) return;
    const diff = Math.abs((((d.angle - angle) % 360) + 540) % 360 - 180);
    if (diff < bestD) [best, bestD] = [i, diff];
  });
  return best;
}
