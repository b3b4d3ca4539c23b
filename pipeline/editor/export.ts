// Export: the regions as a labelme annotation, their guidance (.npy and colour PNG), the 7 frames
// and back-and-forth GIF and MP4 previews (with a known motion also the composed motion as .flo),
// offered as downloads and written to the -o folder.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative } from 'node:path';
import type { ExportResult } from '../../web/editor/protocol.js';
import { MP4_CYCLES, writePreview } from '../decompose.js';
import { writeFileAtomic } from '../io/atomic.js';
import { encodeFlo } from '../io/flo.js';
import { encodeGuidanceNpy } from '../io/guidance-io.js';
import { decodeImage, encodePng } from '../io/image.js';
import { formatLabelme } from '../io/labelme-io.js';
import { paintDirections } from '../math/direction-vocabulary.js';
import { guidanceToColour } from '../math/guidance-colour.js';
import type { RgbImage } from '../math/types.js';
import type { StoredFile } from './result-store.js';
import { parseGuidanceRequest, shapesOf } from './requests.js';
import type { EditorSession } from './session.js';

/** Names of the exported files in the -o folder (the frames as `afb decompose` names them). */
export const FRAME_NAMES = ['000.png', '001.png', '002.png', '003.png', '004.png', '005.png', '006.png'] as const;
export const EXPORT_NAMES = ['annotation.json', 'guidance.npy', 'guidance.png', 'guidance-colours.png', ...FRAME_NAMES, 'preview.gif', 'preview.mp4', 'motion.flo'] as const;

const TYPES: Record<string, string> = { '.json': 'application/json', '.npy': 'application/octet-stream', '.flo': 'application/octet-stream', '.png': 'image/png', '.gif': 'image/gif', '.mp4': 'video/mp4' };

async function previews(frames: RgbImage[], session: EditorSession): Promise<Map<string, Uint8Array>> {
  const dir = await mkdtemp(join(tmpdir(), 'afb-edit-'));
  try {
    const out = new Map<string, Uint8Array>();
    for (const name of ['preview.gif', 'preview.mp4']) {
      await writePreview(join(dir, name), frames, name.endsWith('.gif') ? 1 : MP4_CYCLES, session.o.log);
      out.set(name, await readFile(join(dir, name)));
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * api/export: the files, each at result/ID/NAME with a download name starting with the image's
 * name; with -o, also written (atomically) into that folder, the annotation's imagePath then
 * relative to it so that labelme finds the image. With a known motion, guidance.npy is the
 * composed motion quantised (the overlay) and motion.flo the composed motion itself, so that
 * `afb decompose IMAGE --motion motion.flo` gives the same 7 frames.
 */
export async function exportFiles(session: EditorSession, body: unknown): Promise<ExportResult> {
  const { regions, directions } = parseGuidanceRequest(body);
  const { width, height } = session;
  const g = session.guidanceOf(regions, directions);
  const animation = await session.animateRegions(regions);
  const framePngs = FRAME_NAMES.map((_, j) => session.results.get(animation.id, `${j}.png`)?.body);
  if (framePngs.some((f) => f === undefined)) throw new Error('The animation was dropped from memory before it could be exported; export again');
  const bytes = new Map<string, Uint8Array>();
  const imagePath = session.o.imagePath;
  const shapes = shapesOf(regions);
  bytes.set('annotation.json', Buffer.from(formatLabelme(shapes, { imagePath: basename(imagePath), width, height })));
  bytes.set('guidance.npy', encodeGuidanceNpy(g));
  if (directions === 4) bytes.set('guidance.png', await encodePng(guidanceToColour(g)));
  else bytes.set('guidance-colours.png', await encodePng(paintDirections(g, session.vocabulary(directions))));
  framePngs.forEach((png, j) => bytes.set(FRAME_NAMES[j]!, png!));
  if (session.o.motion) bytes.set('motion.flo', encodeFlo(session.composedMotion(regions)));
  const frames = await Promise.all(framePngs.map((png) => decodeImage(png!)));
  for (const [name, data] of await previews(frames, session)) bytes.set(name, data);
  const stem = basename(imagePath, extname(imagePath)).replace(/[^A-Za-z0-9._-]/g, '_'); // safe in a Content-Disposition header
  const files = new Map<string, StoredFile>();
  for (const [name, body] of bytes) {
    files.set(name, { type: TYPES[extname(name)]!, body, download: name === 'annotation.json' ? `${stem}.json` : `${stem}-${name}` });
  }
  const id = session.results.put(files);
  const outDir = session.o.outputDir;
  if (outDir) {
    const inFolder = new Map(bytes);
    inFolder.set('annotation.json', Buffer.from(formatLabelme(shapes, { imagePath: relative(outDir, imagePath), width, height })));
    for (const [name, data] of inFolder) await writeFileAtomic(join(outDir, name), data);
    session.o.log.info(`editor: exported ${inFolder.size} files to ${outDir}`);
  }
  return {
    files: [...files].map(([name, f]) => ({ name: f.download!, url: `result/${id}/${name}`, bytes: f.body.byteLength })),
    savedTo: outDir ?? null,
  };
}
