// Fuzzing the text parsers (labelme annotations, config files) with fast-check: thousands of
// generated documents, random and mutated texts. Every one is parsed and then used the way afb
// uses it (rasterised into guidance; every command's options resolved from it). Each must succeed
// or fail with one of afb's typed errors (FormatError, InvalidOptionError, InputError) within a
// second: never a crash, never a hang. Seeds are fixed, so a failure replays.
import fc from 'fast-check';
import { stringify as stringifyYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { EVAL_OPTIONS } from '../configs/eval-options.js';
import { FLOW_OPTIONS, GUIDANCE_OPTIONS } from '../configs/flow-options.js';
import { GLOBAL_OPTIONS } from '../configs/global-options.js';
import { resolveOptions, type OptionRecord } from '../configs/option-schema.js';
import { SYNTH_COMMON_OPTIONS, SYNTH_FOOTAGE_OPTIONS, SYNTH_PROCEDURAL_OPTIONS } from '../configs/synth-options.js';
import { DECOMPOSE_OPTIONS, VIDEO_OPTIONS } from '../configs/video-options.js';
import { configSection, parseConfigText, resolveGlobals } from '../pipeline/cli/context.js';
import { FormatError, InputError, InvalidOptionError } from '../pipeline/errors.js';
import { parseLabelme } from '../pipeline/io/labelme-io.js';
import { labelmeToGuidance } from '../pipeline/math/labelme.js';
import { FuzzTally, mutatedTextArb } from './helpers/fuzz.js';

const RUNS = 3000;
const settings = (seed: number) => ({ numRuns: RUNS, seed, endOnFailure: true });
const show = (text: string) => () => JSON.stringify(text.slice(0, 300));

const LABELS = ['static', 'up-right', 'up_left', 'Down Left', 'down-right', 'right', 'left', 'up', 'down', '30', 'angle:-90', '45deg', '1e9', 'sideways', '', '999999999999999999999999'];
const coord = fc.oneof(fc.double({ min: -40, max: 100, noNaN: true }), fc.constantFrom(0, 16, 1e9, -1e9, Number.MAX_VALUE));
/** Mostly well-formed shapes (so rasterisation is reached), with every kind of damage mixed in. */
const often = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) => fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: bad });
const shapeArb = fc.record({
  label: often(fc.constantFrom(...LABELS.slice(0, 12)), fc.oneof(fc.constantFrom(...LABELS.slice(12)), fc.string({ maxLength: 12 }), fc.integer())),
  points: often(fc.array(fc.tuple(coord, coord), { minLength: 2, maxLength: 8 }), fc.oneof(fc.constant('none'), fc.array(fc.array(coord, { maxLength: 3 }), { maxLength: 4 }))),
  shape_type: often(fc.constantFrom('polygon', 'rectangle', 'circle', undefined), fc.constantFrom('line', 'point', null, 7)),
});
const sizeArb = often(fc.integer({ min: 1, max: 48 }), fc.constantFrom(0, -1, 2.5, 16385, 1e9, '32', null, undefined));
const labelmeDocArb = fc.record({ shapes: fc.array(shapeArb, { maxLength: 6 }), imageWidth: sizeArb, imageHeight: sizeArb, version: fc.constant('5.2.1') }, { requiredKeys: ['shapes'] })
  .map((doc) => JSON.stringify(doc));

/** Parse, then rasterise as afb does (the file's grid, or a 16x16 frame when it has none). */
function useLabelme(text: string): void {
  const parsed = parseLabelme(text);
  const g = labelmeToGuidance(parsed.shapes, parsed.width ?? 16, parsed.height ?? 16, 4);
  if (g.data.length !== g.width * g.height * 2 || g.data.some((v) => v < -1 || v > 1)) throw new Error('guidance out of contract');
}

describe('fuzz labelme annotations (parseLabelme, labelmeToGuidance)', () => {
  it(`${RUNS} generated, ${RUNS} mutated and ${RUNS} random documents rasterise or fail with a typed error`, () => {
    const tally = new FuzzTally();
    const allowed = [FormatError, InvalidOptionError];
    fc.assert(fc.property(labelmeDocArb, (t) => tally.check(() => useLabelme(t), allowed, show(t))), settings(401));
    const generatedOk = tally.ok;
    fc.assert(fc.property(mutatedTextArb(labelmeDocArb), (t) => tally.check(() => useLabelme(t), allowed, show(t))), settings(402));
    fc.assert(fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 200 })), (t) => tally.check(() => useLabelme(t), allowed, show(t))), settings(403));
    expect(tally.total).toBe(3 * RUNS);
    expect(generatedOk).toBeGreaterThan(RUNS / 10); // the generator reaches rasterisation, not only errors
  });
});

/** Every command's option records, as the commands resolve them (synth in both of its modes). */
const COMMAND_RECORDS: [string, readonly OptionRecord<unknown>[]][] = [
  ['video', VIDEO_OPTIONS], ['decompose', DECOMPOSE_OPTIONS], ['guidance', GUIDANCE_OPTIONS], ['flow', FLOW_OPTIONS], ['eval', EVAL_OPTIONS],
  ['synth', [...SYNTH_COMMON_OPTIONS, ...SYNTH_PROCEDURAL_OPTIONS]],
  ['synth', [...SYNTH_COMMON_OPTIONS, SYNTH_PROCEDURAL_OPTIONS.find((r) => r.key === 'split')!, ...SYNTH_FOOTAGE_OPTIONS]],
];
const COMMANDS = [...new Set(COMMAND_RECORDS.map(([c]) => c)), 'info'];

/** Parse config text and resolve the global options and every command's options from it. */
function useConfig(text: string, format: 'json' | 'yaml'): void {
  const config = parseConfigText(text, format, 'afb.config');
  resolveGlobals({}, config, COMMANDS);
  for (const [command, records] of COMMAND_RECORDS) {
    try {
      resolveOptions(records, {}, configSection(config, command));
    } catch (error) {
      // One command's bad section must not hide the others: keep resolving, rethrow typed errors at the end.
      if (!(error instanceof InvalidOptionError)) throw error;
    }
  }
}

const valueArb = fc.oneof(
  fc.integer({ min: -3, max: 70 }), fc.double(), fc.boolean(), fc.constant(null),
  fc.constantFrom('auto', 'off', 'h264', 'vp9', 'debug', 'mp4', 'png', '30000/1001', '29.97', '1/0', '0/0', '-30', '256x256', 'x', '', 'predict', 'video', 'builtin', 'raft', 'true'),
  fc.string({ maxLength: 10 }), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);
const keyArb = fc.constantFrom(...new Set([...GLOBAL_OPTIONS, ...COMMAND_RECORDS.flatMap(([, r]) => r)].map((r) => r.key)), 'unknownKey', '__proto__', 'constructor');
const sectionArb = fc.dictionary(keyArb, valueArb, { maxKeys: 6 });
const configArb = fc.record({
  globals: sectionArb,
  sections: fc.dictionary(fc.constantFrom(...COMMANDS, 'toString'), fc.oneof({ weight: 5, arbitrary: sectionArb }, { weight: 1, arbitrary: valueArb }), { maxKeys: 3 }),
}).map(({ globals, sections }) => ({ ...globals, ...sections }));

describe('fuzz config files (parseConfigText, then every command\'s options resolved)', () => {
  it(`${RUNS} generated JSON and ${RUNS} YAML configs, ${RUNS} mutated and ${RUNS} random texts resolve or fail with a typed error`, () => {
    const tally = new FuzzTally();
    const allowed = [InputError, InvalidOptionError];
    fc.assert(fc.property(configArb, (c) => {
      const text = JSON.stringify(c);
      tally.check(() => useConfig(text, 'json'), allowed, show(text));
    }), settings(501));
    fc.assert(fc.property(configArb, (c) => {
      const text = stringifyYaml(c);
      tally.check(() => useConfig(text, 'yaml'), allowed, show(text));
    }), settings(502));
    const generatedOk = tally.ok;
    fc.assert(fc.property(mutatedTextArb(configArb.map((c) => stringifyYaml(c))), fc.constantFrom('json', 'yaml' as const), (t, f) => {
      tally.check(() => useConfig(t, f), allowed, show(t));
    }), settings(503));
    const yamlish = fc.array(fc.constantFrom('a', ':', ' ', '\n', '-', '&x', '*x', '!!', '[', ']', '{', '}', '"', "'", '#', '|', '>', 'workers', 'video', '2', '<<'), { maxLength: 60 }).map((p) => p.join(''));
    fc.assert(fc.property(yamlish, (t) => tally.check(() => useConfig(t, 'yaml'), allowed, show(t))), settings(504));
    expect(tally.total).toBe(4 * RUNS);
    expect(generatedOk).toBeGreaterThan(RUNS / 20);
  });
  it('refuses a YAML alias bomb quickly with InputError', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${new Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const t0 = performance.now();
    expect(() => useConfig(bomb.join('\n'), 'yaml')).toThrow(InputError);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
