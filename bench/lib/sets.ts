// The fixed benchmark sets of bench:quality (also used by the benchmarks that report on them).

/** Real-clip windows: normal-rate real footage from Debian packages (scripts/fetch-clips.sh), up-sampled
 * 7x with flow interpolation and averaged over 49 sub-frames = 7 source frame intervals per blurry frame.
 * Their ground truth is real frames plus interpolated in-betweens; guidance comes from flow between them. */
export const CLIP_SET = {
  dir: 'data/clips',
  clips: ['cityCC0.mpg', 'cockatoo.mp4'],
  size: '320x180',
  interpolate: 7,
  window: 49,
} as const;

/** The benchmark set: fixed seed and settings, so every run renders the same pixels. */
export const BENCH_SET = {
  photos: 'data/photos/valid',
  seed: 20221023, // fixed: the paper's ECCV 2022 date; any constant works, it must never change
  count: 48, // 6 videos x 8 exposures: ~2-4 minutes of evaluation on 2 cores
  size: '320x192', // a small 5:3 video frame, a multiple of 4 like the model needs
  framesPerVideo: 8,
} as const;
