import { describe, expect, it } from 'vitest';
import { planThreads, resolveGlobalOptions } from '../configs/global-options.js';
import { booleanParser, choiceParser, defineOption, flagName, intParser, numberParser, resolveOptions, stringParser } from '../configs/option-schema.js';
import { checkEnsembleMethod, parseEnsemble } from '../configs/model-options.js';
import { InvalidOptionError } from '../pipeline/errors.js';

const RECORDS = [
  defineOption({ key: 'workers', flag: '--workers <n>', description: '', default: 3, parse: intParser(1, 64) }),
  defineOption({ key: 'mode', flag: '--mode <m>', description: '', default: 'fast' as 'fast' | 'slow', parse: choiceParser(['fast', 'slow'] as const) }),
  defineOption({ key: 'scale', flag: '--scale <x>', description: '', default: () => 0.5, parse: numberParser(0, 1) }),
] as const;

describe('option resolution', () => {
  it('CLI beats config beats default', () => {
    expect(resolveOptions(RECORDS, {}, {})).toEqual({ workers: 3, mode: 'fast', scale: 0.5 });
    expect(resolveOptions(RECORDS, {}, { workers: 8, mode: 'slow' })).toEqual({ workers: 8, mode: 'slow', scale: 0.5 });
    expect(resolveOptions(RECORDS, { workers: '2' }, { workers: 8, mode: 'slow' })).toEqual({ workers: 2, mode: 'slow', scale: 0.5 });
  });

  it('rejects unknown config keys and bad values with InvalidOptionError naming them', () => {
    expect(() => resolveOptions(RECORDS, {}, { wokers: 2 })).toThrow(/"wokers"/);
    const e = (() => { try { resolveOptions(RECORDS, { workers: '0' }); } catch (err) { return err; } return undefined; })();
    expect(e).toBeInstanceOf(InvalidOptionError);
    expect(e).toMatchObject({ option: '--workers', value: '0', kind: 'range', exitCode: 2 });
    expect((e as Error).message).toBe('Expected an integer in [1, 64] for --workers but received "0"');
    expect(() => resolveOptions(RECORDS, {}, { workers: 'many' })).toThrow(/workers \(config file\)/);
    expect(() => resolveOptions(RECORDS, { mode: 'warp' })).toThrow('Expected one of fast, slow for --mode but received "warp"');
    expect(() => resolveOptions(RECORDS, { scale: '1.5' })).toThrow(/--scale/);
  });

  it('parsers accept the documented forms only', () => {
    expect(intParser(1)('12', '--n')).toBe(12);
    expect(() => intParser(1)('1.5', '--n')).toThrow(InvalidOptionError);
    expect(booleanParser('true', '--x')).toBe(true);
    expect(() => booleanParser('yes', '--x')).toThrow(InvalidOptionError);
    expect(() => stringParser('', '--path')).toThrow(InvalidOptionError);
    expect(flagName(RECORDS[0])).toBe('--workers');
  });

  it('--ensemble takes 1, 2, 4 or 8, and above 1 only with the learned method', () => {
    expect([1, '2', ' 4', 8].map((v) => parseEnsemble(v, '--ensemble'))).toEqual([1, 2, 4, 8]);
    for (const bad of ['3', '2.0', 'x', 0, 16, '']) expect(() => parseEnsemble(bad, '--ensemble'), String(bad)).toThrow(/Expected one of 1, 2, 4, 8 for --ensemble/);
    expect(() => checkEnsembleMethod(4, 'learned')).not.toThrow();
    expect(() => checkEnsembleMethod(1, 'guidance')).not.toThrow();
    expect(() => checkEnsembleMethod(2, 'guidance')).toThrow(/Expected 1 with --method guidance .* for --ensemble but received 2/);
  });

  it('global options have sane defaults', () => {
    const g = resolveGlobalOptions({});
    expect(g.workers).toBeGreaterThanOrEqual(1);
    expect(g).toMatchObject({ threads: 1, logLevel: 'info', json: false });
  });

  it('splits the cores between workers and threads', () => {
    expect(planThreads(8)).toEqual({ workers: 8, threads: 1 });
    expect(planThreads(8, undefined, 2)).toEqual({ workers: 4, threads: 2 });
    expect(planThreads(2, 1, 2)).toEqual({ workers: 1, threads: 2 });
    expect(planThreads(2, undefined, 4)).toEqual({ workers: 1, threads: 4 });
  });

  it('--threads without --workers keeps workers x threads <= cores; both given are kept as given', () => {
    expect(resolveGlobalOptions({}, {}, 8)).toMatchObject({ workers: 8, threads: 1 });
    expect(resolveGlobalOptions({ threads: '2' }, {}, 8)).toMatchObject({ workers: 4, threads: 2 });
    expect(resolveGlobalOptions({ threads: '2' }, {}, 2)).toMatchObject({ workers: 1, threads: 2 });
    expect(resolveGlobalOptions({}, { threads: 3 }, 8)).toMatchObject({ workers: 2, threads: 3 });
    expect(resolveGlobalOptions({ workers: '3', threads: '2' }, {}, 2)).toMatchObject({ workers: 3, threads: 2 });
    expect(resolveGlobalOptions({ threads: '2' }, { workers: 5 }, 8)).toMatchObject({ workers: 5, threads: 2 });
  });
});

describe('config files through the CLI context', () => {
  it('global keys at the top, command options under the command name; CLI wins', async () => {
    const { createContext } = await import('../pipeline/cli/context.js');
    const { CODEC_OPTIONS } = await import('../configs/codec-options.js');
    const { makeTempDir, removeTempDir } = await import('./helpers/media.js');
    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const dir = await makeTempDir();
    try {
      const file = join(dir, 'afb.yaml');
      await writeFile(file, 'workers: 5\nthreads: 2\nvideo:\n  codec: vp9\n  crf: 40\n');
      const ctx = await createContext({ config: file, workers: '3' }, ['video']);
      expect(ctx.globals).toMatchObject({ workers: 3, threads: 2, logLevel: 'info' });
      expect(ctx.resolve('video', CODEC_OPTIONS, { crf: '33' })).toEqual({ codec: 'vp9', crf: 33, preset: 'medium', pixFmt: 'yuv420p' });
      await writeFile(file, 'video:\n  codec: av1\n');
      const bad = await createContext({ config: file }, ['video']);
      expect(() => bad.resolve('video', CODEC_OPTIONS, {})).toThrow('Expected one of h264, h265, vp9 for codec (config file) but received "av1"');
    } finally {
      await removeTempDir(dir);
    }
  });
});
