// Piscina worker of `afb synth`: renders and writes the samples of one video per task
// (procedural scenes or windows of footage); results are small summaries, files go to disk.
import { renderProceduralVideo, type ProceduralVideoResult, type ProceduralVideoTask } from '../pipeline/synth/procedural-video.js';

/** Run one task. */
export default async function run(task: ProceduralVideoTask): Promise<ProceduralVideoResult> {
  return renderProceduralVideo(task);
}
