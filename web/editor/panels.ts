// The side panels: the direction palette, the list of regions, the suggestion thumbnails (each
// playing its own animation) and the exported files.
import { urlOf, loadImage } from './api.js';
import { arrowIcon } from './arrows.js';
import { loopOrder } from './player.js';
import type { DirectionInfo, ExportResult, Region, Suggestion } from './protocol.js';

/** Element by id (the page has them all). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

/** One button per direction; `current` is highlighted. Keys 0-9 pick the first ten. */
export function renderPalette(box: HTMLElement, vocabulary: readonly DirectionInfo[], current: number, pick: (index: number) => void): void {
  box.replaceChildren(...vocabulary.map((d, i) => {
    const b = document.createElement('button');
    b.append(arrowIcon(d));
    b.title = `${d.label}${i < 10 ? ` (${i})` : ''}`;
    b.dataset['label'] = d.label;
    b.classList.toggle('active', i === current);
    b.addEventListener('click', () => pick(i));
    return b;
  }));
}

/** The regions, each with its direction's arrow; clicking one selects it. */
export function renderRegionList(list: HTMLElement, regions: readonly Region[], directions: readonly (DirectionInfo | undefined)[], selected: number | null, select: (i: number) => void): void {
  list.replaceChildren(...regions.map((r, i) => {
    const li = document.createElement('li');
    const d = directions[i];
    if (d) li.append(arrowIcon(d));
    const text = document.createElement('span');
    text.textContent = `${r.label} · ${r.shapeType === 'polygon' ? `${r.points.length} points` : r.shapeType}`;
    li.append(text);
    li.dataset['label'] = r.label;
    li.classList.toggle('selected', i === selected);
    li.addEventListener('click', () => select(i));
    return li;
  }));
}

/** Thumbnail size (CSS pixels, long side). */
const THUMB = 132;

/**
 * One card per suggestion: its frames playing back and forth, its guidance colours below;
 * clicking a card calls `use`. Returns a stop function for the thumbnails' timer.
 */
export async function renderSuggestions(box: HTMLElement, suggestions: readonly Suggestion[], use: (s: Suggestion) => void): Promise<() => void> {
  const cards = await Promise.all(suggestions.map(async (s) => {
    const frames = await Promise.all(s.frames.map((f) => loadImage(f)));
    const guidance = await loadImage(s.guidance);
    const card = document.createElement('div');
    card.className = 'suggestion';
    card.dataset['sample'] = String(s.sample);
    const scale = THUMB / Math.max(frames[0]!.naturalWidth, frames[0]!.naturalHeight);
    const make = () => {
      const c = document.createElement('canvas');
      c.width = Math.max(1, Math.round(frames[0]!.naturalWidth * scale));
      c.height = Math.max(1, Math.round(frames[0]!.naturalHeight * scale));
      return c;
    };
    const anim = make();
    const map = make();
    map.getContext('2d')!.drawImage(guidance, 0, 0, map.width, map.height);
    const caption = document.createElement('div');
    caption.className = 'caption';
    caption.append(Object.assign(document.createElement('span'), { textContent: `sample ${s.sample}` }), Object.assign(document.createElement('span'), { textContent: `${s.regions.length} regions` }));
    card.append(anim, map, caption);
    card.title = 'Use this guidance and keep editing it';
    card.addEventListener('click', () => use(s));
    return { card, anim, frames };
  }));
  box.replaceChildren(...cards.map((c) => c.card));
  let step = 0;
  const timer = window.setInterval(() => {
    step++;
    for (const c of cards) {
      const order = loopOrder(c.frames.length, true);
      c.anim.getContext('2d')!.drawImage(c.frames[order[step % order.length]!]!, 0, 0, c.anim.width, c.anim.height);
    }
  }, 125);
  return () => window.clearInterval(timer);
}

/** Download links of an export. */
export function renderExports(list: HTMLElement, result: ExportResult): void {
  list.replaceChildren(...result.files.map((f) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = urlOf(f.url);
    a.download = f.name;
    a.textContent = f.name;
    li.append(a, ` (${f.bytes < 1024 * 1024 ? `${Math.ceil(f.bytes / 1024)} KB` : `${(f.bytes / 1024 / 1024).toFixed(1)} MB`})`);
    return li;
  }));
}
