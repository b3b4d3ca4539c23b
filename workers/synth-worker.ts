// Piscina worker of `afb synth --procedural`: renders and writes the samples of one video per task
// (its exposures to render); results are small summaries, the files go straight to disk.
import { renderProceduralVideo, type ProceduralVideoResult, type ProceduralVideoTask } from '../pipeline/synth/procedural-video.js';

/** Run one task. */
export default async function run(task: ProceduralVideoTask): Promise<ProceduralVideoResult> {
  return renderProceduralVideo(task);
}
