// Suggest: N guidance samples from the predictor (`afb decompose --samples N --seed S` draws the
// same N maps), each decomposed through the pool and turned into editable regions.
import type { Suggestion } from '../../web/editor/protocol.js';
import { GuidancePredictor } from '../runtime/predictor.js';
import { regionsToShapes, traceGuidanceRegions } from '../math/guidance-regions.js';
import { HttpError } from './http-util.js';
import { parseSuggestRequest } from './requests.js';
import { MODEL_DIRECTIONS, type EditorSession } from './session.js';

/**
 * api/suggest: sample `count` maps with `seed`, trace each map into regions that repaint it
 * exactly (pipeline/math/guidance-regions.ts) and decompose each (the pool runs them side by
 * side): the map itself, or with a known motion the motion those regions override. 503 when the
 * session has no predictor.
 */
export async function suggest(session: EditorSession, body: unknown): Promise<Suggestion[]> {
  const o = session.o;
  const { count, seed } = parseSuggestRequest(body);
  if (!o.predictorPath) throw new HttpError(503, `Suggest is unavailable: ${o.predictorError ?? 'no guidance predictor'}`);
  const predictor = await GuidancePredictor.create(o.predictorPath, { provider: o.provider, threads: o.threads });
  let maps;
  try {
    maps = await predictor.sample(o.image, count, seed);
  } finally {
    await predictor.release();
  }
  return Promise.all(maps.map(async (g, sample) => {
    const shapes = regionsToShapes(traceGuidanceRegions(g), (code) => session.labelOf(code, MODEL_DIRECTIONS));
    const regions = shapes.map((s) => ({ label: s.label, shapeType: s.shapeType, points: s.points.map(([x, y]) => [x, y] as [number, number]) }));
    // With a known motion the sample's regions override it, as drawn regions do.
    const animation = o.motion ? await session.animateRegions(regions) : await session.decompose(g);
    return { ...animation, sample, regions };
  }));
}
