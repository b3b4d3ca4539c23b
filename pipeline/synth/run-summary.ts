// What every `afb synth` run reports, whichever the mode (footage or procedural).

/** Totals of one synthesis run (resumed runs count the samples already on disk as skipped). */
export interface SynthRunSummary {
  readonly root: string;
  readonly samples: number;
  readonly written: number;
  readonly skipped: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  /** Hash of the settings that shape the output; a resume with other settings is refused. */
  readonly configHash: string;
}
