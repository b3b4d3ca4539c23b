// The regions being edited, the selection and the polygon being drawn, with undo and redo (each
// change stores a snapshot; annotations are small).
import type { Region } from './protocol.js';

/** What is selected: a region, and maybe one of its vertices. */
export interface Selection {
  region: number | null;
  vertex: number | null;
}

/** Most undo steps kept. */
const HISTORY = 200;

/** Regions + selection + history; `onChange` runs after every change. */
export class EditorState {
  regions: Region[] = [];
  selection: Selection = { region: null, vertex: null };
  /** Points of the polygon being drawn (image pixels), or null. */
  drawing: [number, number][] | null = null;
  private readonly undoStack: string[] = [];
  private readonly redoStack: string[] = [];
  private readonly listeners: (() => void)[] = [];

  /** Call `f` after every change. */
  onChange(f: () => void): void {
    this.listeners.push(f);
  }

  /** Tell listeners something changed (selection or drawing only: no history step). */
  changed(): void {
    for (const f of this.listeners) f();
  }

  private snapshot(): string {
    return JSON.stringify(this.regions);
  }

  /** Change the regions as one undoable step. */
  edit(change: (regions: Region[]) => void): void {
    this.undoStack.push(this.snapshot());
    if (this.undoStack.length > HISTORY) this.undoStack.shift();
    this.redoStack.length = 0;
    change(this.regions);
    this.changed();
  }

  /** Start an edit whose later moves (a drag) belong to the same step: call before the first move. */
  beginDrag(): void {
    this.undoStack.push(this.snapshot());
    this.redoStack.length = 0;
  }

  /** Forget the step beginDrag() stored when the drag changed nothing. */
  dropLastStep(): void {
    this.undoStack.pop();
  }

  /** Replace every region (import, a chosen suggestion) as one step. */
  replace(regions: readonly Region[]): void {
    this.edit((r) => r.splice(0, r.length, ...regions.map((x) => ({ label: x.label, shapeType: x.shapeType, points: x.points.map(([a, b]) => [a, b] as [number, number]) }))));
    this.selection = { region: null, vertex: null };
  }

  undo(): boolean {
    return this.step(this.undoStack, this.redoStack);
  }

  redo(): boolean {
    return this.step(this.redoStack, this.undoStack);
  }

  private step(from: string[], to: string[]): boolean {
    const s = from.pop();
    if (s === undefined) return false;
    to.push(this.snapshot());
    this.regions = JSON.parse(s) as Region[];
    this.selection = { region: null, vertex: null };
    this.changed();
    return true;
  }

  /** The selected region, if any. */
  get selected(): Region | undefined {
    return this.selection.region === null ? undefined : this.regions[this.selection.region];
  }
}
