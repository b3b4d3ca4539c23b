// A minimal, safe Python pickle reader for the B-Aist++ annotations (`blur_anno/{i:08d}.pkl`, a
// dict with 'bbox' = [x0, y0, x1, y1]). Pure (bytes in, values out). It interprets the opcodes of
// protocols 0-5 that plain containers, numbers and strings use, plus the few globals a numpy
// scalar or 1-D array pickles to; any other global is refused (nothing is ever executed).
import { FormatError } from '../../errors.js';

/** A numpy dtype as pickled: its type string ('i8', 'f4', ...) and byte order ('<', '>', '|'). */
interface NumpyDtype { readonly kind: 'dtype'; readonly descr: string; order: string }
/** A numpy array under construction (REDUCE gives an empty shell, BUILD fills it). */
interface NumpyArray { readonly kind: 'ndarray'; values: number[] }
interface GlobalRef { readonly kind: 'global'; readonly name: string }
const MARK = Symbol('mark');

/** Deepest nesting of containers accepted (the annotations are two levels deep). */
const MAX_DEPTH = 1000;
/** Longest LONG1/LONG4 integer accepted, in bytes (a bbox coordinate needs at most 8). */
const MAX_LONG_BYTES = 64;

const fail = (detail: string, offset?: number): FormatError => new FormatError('pickle', detail, offset === undefined ? {} : { offset });

/** Values a pickle decodes to: dicts become Maps, lists and tuples arrays, numpy numbers numbers. */
export type PickleValue = null | boolean | number | string | Uint8Array | PickleValue[] | Map<PickleValue, PickleValue>;

const DTYPE_SIZES: Record<string, number> = { b1: 1, i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8, f2: 2, f4: 4, f8: 8 };

function isDtype(v: unknown): v is NumpyDtype {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'dtype';
}

function decodeNumbers(dtype: unknown, bytes: unknown): number[] {
  if (!isDtype(dtype)) throw fail('numpy data without a dtype');
  if (!(bytes instanceof Uint8Array)) throw fail('numpy data is not bytes');
  const size = DTYPE_SIZES[dtype.descr];
  if (size === undefined || dtype.descr === 'f2') throw fail(`unsupported numpy dtype ${dtype.descr}`);
  if (bytes.length % size !== 0) throw fail(`numpy data of ${bytes.length} bytes is not a multiple of ${size}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = dtype.order !== '>';
  const out: number[] = [];
  for (let o = 0; o < bytes.length; o += size) {
    switch (dtype.descr) {
      case 'b1': case 'u1': out.push(view.getUint8(o)); break;
      case 'i1': out.push(view.getInt8(o)); break;
      case 'i2': out.push(view.getInt16(o, le)); break;
      case 'u2': out.push(view.getUint16(o, le)); break;
      case 'i4': out.push(view.getInt32(o, le)); break;
      case 'u4': out.push(view.getUint32(o, le)); break;
      case 'i8': out.push(Number(view.getBigInt64(o, le))); break;
      case 'u8': out.push(Number(view.getBigUint64(o, le))); break;
      case 'f4': out.push(view.getFloat32(o, le)); break;
      default: out.push(view.getFloat64(o, le));
    }
  }
  return out;
}

function latin1Bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

function normaliseDescr(d: string): { descr: string; order: string } {
  const m = /^([<>|=]?)([a-z])(\d+)$/.exec(d);
  if (!m) throw fail(`unsupported numpy dtype ${JSON.stringify(d.slice(0, 20))}`);
  return { descr: `${m[2]}${m[3]}`, order: m[1] === '>' ? '>' : '<' };
}

/** Apply one of the few whitelisted globals to its arguments. */
function callGlobal(name: string, argsValue: unknown): unknown {
  if (!Array.isArray(argsValue)) throw fail(`arguments of ${name} are not a tuple`);
  const args = argsValue as unknown[];
  const base = name.replace(/^numpy\._core\./, 'numpy.core.');
  switch (base) {
    case '_codecs.encode':
      return latin1Bytes(String(args[0]));
    case 'numpy.dtype':
      return { kind: 'dtype', ...normaliseDescr(String(args[0])) } satisfies NumpyDtype;
    case 'numpy.core.multiarray.scalar': {
      const data = typeof args[1] === 'string' ? latin1Bytes(args[1]) : args[1];
      const value = decodeNumbers(args[0], data)[0];
      if (value === undefined) throw fail('empty numpy scalar');
      return value;
    }
    case 'numpy.core.multiarray._reconstruct':
      return { kind: 'ndarray', values: [] } satisfies NumpyArray;
    default:
      throw fail(`refusing to call global ${name.slice(0, 80)}`);
  }
}

/** BUILD: set the state of a dtype, an ndarray or a dict. */
function build(obj: unknown, state: unknown): unknown {
  if (obj && typeof obj === 'object' && 'kind' in obj) {
    if (!Array.isArray(state)) throw fail(`BUILD state of a ${String(obj.kind)} is not a tuple`);
    const st = state as unknown[];
    if (obj.kind === 'dtype') {
      (obj as NumpyDtype).order = String(st[1]) === '>' ? '>' : '<';
      return obj;
    }
    if (obj.kind === 'ndarray') {
      // state = (version, shape, dtype, is_fortran, raw bytes)
      const raw = st[4];
      (obj as NumpyArray).values = decodeNumbers(st[2], typeof raw === 'string' ? latin1Bytes(raw) : raw);
      return obj;
    }
  }
  if (obj instanceof Map && state instanceof Map) {
    for (const [k, v] of state) obj.set(k, v);
    return obj;
  }
  throw fail('unsupported BUILD target');
}

/**
 * Replace numpy arrays by plain number arrays, recursively. A container that holds itself (the
 * memo makes that possible) or nesting deeper than MAX_DEPTH is refused: plain data has neither.
 * A container reached twice is converted once and shared, so a pickle that references the same
 * list again and again (2^n leaves from n memo lookups) costs n steps, not 2^n.
 */
function finish(v: unknown, path: Set<unknown> = new Set(), done: Map<unknown, PickleValue> = new Map()): PickleValue {
  if (Array.isArray(v) || v instanceof Map) {
    const cached = done.get(v);
    if (cached !== undefined) return cached;
    if (path.has(v)) throw fail('a container holds itself (recursive pickle)');
    if (path.size >= MAX_DEPTH) throw fail(`containers nested deeper than ${MAX_DEPTH}`);
    path.add(v);
    const out: PickleValue = Array.isArray(v)
      ? v.map((x) => finish(x, path, done))
      : new Map([...v].map(([k, x]) => [finish(k, path, done), finish(x, path, done)]));
    path.delete(v);
    done.set(v, out);
    return out;
  }
  if (v === MARK) throw fail('a MARK left in the result');
  if (v && typeof v === 'object' && 'kind' in v) {
    if (v.kind === 'ndarray') return (v as NumpyArray).values;
    throw fail(`unexpected ${String(v.kind)} object in the result`);
  }
  return v as PickleValue;
}

function asList(v: unknown, op: string, at: number): unknown[] {
  if (!Array.isArray(v)) throw fail(`${op} on something that is not a list`, at);
  return v;
}

function asDict(v: unknown, op: string, at: number): Map<unknown, unknown> {
  if (!(v instanceof Map)) throw fail(`${op} on something that is not a dict`, at);
  return v;
}

/** Decode pickle bytes (protocols 0-5, plain data and numpy numbers); FormatError on anything else. */
export function decodePickle(bytes: Uint8Array): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8');
  let pos = 0;
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const need = (n: number) => {
    if (!(n >= 0) || pos + n > bytes.length) throw fail(`truncated pickle at byte ${pos}`, pos);
    const p = pos;
    pos += n;
    return p;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw fail(`truncated pickle at byte ${pos}`, pos);
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const str = (n: number) => text.decode(bytes.subarray(need(n), pos));
  const raw = (n: number) => bytes.slice(need(n), pos);
  const popMark = () => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw fail(`pickle MARK not found at byte ${pos}`, pos);
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const pop = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw fail(`pickle stack underflow at byte ${pos}`, pos);
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw fail(`pickle stack underflow at byte ${pos}`, pos);
    return stack[stack.length - 1];
  };
  const u64 = () => Number(view.getBigUint64(need(8), true));
  for (;;) {
    const op = bytes[need(1)]!;
    switch (op) {
      case 0x80: need(1); break; // PROTO
      case 0x95: need(8); break; // FRAME (a length hint)
      case 0x2e: return finish(pop()); // STOP
      case 0x28: stack.push(MARK); break;
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: case 0x29: stack.push([]); break; // EMPTY_LIST, EMPTY_TUPLE
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4b: stack.push(bytes[need(1)]); break; // BININT1
      case 0x4d: stack.push(view.getUint16(need(2), true)); break; // BININT2
      case 0x4a: stack.push(view.getInt32(need(4), true)); break; // BININT
      case 0x8a: case 0x8b: { // LONG1, LONG4: little-endian two's complement
        const n = op === 0x8a ? bytes[need(1)]! : view.getInt32(need(4), true);
        if (n < 0 || n > MAX_LONG_BYTES) throw fail(`pickle LONG of ${n} bytes (at most ${MAX_LONG_BYTES})`, pos);
        const b = raw(n);
        let v = 0n;
        for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (n > 0 && b[n - 1]! >= 0x80) v -= 1n << BigInt(8 * n);
        stack.push(Number(v));
        break;
      }
      case 0x47: stack.push(view.getFloat64(need(8), false)); break; // BINFLOAT (big endian)
      case 0x49: { const s = line(); stack.push(s === '01' ? true : s === '00' ? false : Number(s)); break; } // INT
      case 0x4c: stack.push(Number(line().replace(/L$/, ''))); break; // LONG (text)
      case 0x46: stack.push(Number(line())); break; // FLOAT (text)
      case 0x56: stack.push(line()); break; // UNICODE (raw-unicode-escape; ASCII is enough here)
      case 0x8c: stack.push(str(bytes[need(1)]!)); break; // SHORT_BINUNICODE
      case 0x58: stack.push(str(view.getUint32(need(4), true))); break; // BINUNICODE
      case 0x8d: stack.push(str(u64())); break; // BINUNICODE8
      case 0x43: stack.push(raw(bytes[need(1)]!)); break; // SHORT_BINBYTES
      case 0x42: stack.push(raw(view.getUint32(need(4), true))); break; // BINBYTES
      case 0x8e: stack.push(raw(u64())); break; // BINBYTES8
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x71: memo.set(bytes[need(1)]!, top()); break; // BINPUT
      case 0x72: memo.set(view.getUint32(need(4), true), top()); break; // LONG_BINPUT
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x68: case 0x6a: case 0x67: { // BINGET, LONG_BINGET, GET
        const k = op === 0x68 ? bytes[need(1)]! : op === 0x6a ? view.getUint32(need(4), true) : Number(line());
        if (!memo.has(k)) throw fail(`pickle memo ${k} missing`, pos);
        stack.push(memo.get(k));
        break;
      }
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push([pop(), b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push([pop(), b, c]); break; } // TUPLE3
      case 0x74: case 0x6c: stack.push(popMark()); break; // TUPLE, LIST
      case 0x64: { // DICT
        const items = popMark();
        const d = new Map();
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        stack.push(d);
        break;
      }
      case 0x61: { const v = pop(); asList(top(), 'APPEND', pos).push(v); break; } // APPEND
      case 0x65: { const items = popMark(); const l = asList(top(), 'APPENDS', pos); for (const v of items) l.push(v); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); asDict(top(), 'SETITEM', pos).set(k, v); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        const d = asDict(top(), 'SETITEMS', pos);
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case 0x63: { const mod = line(); stack.push({ kind: 'global', name: `${mod}.${line()}` } satisfies GlobalRef); break; } // GLOBAL
      case 0x93: { const n = String(pop()); stack.push({ kind: 'global', name: `${String(pop())}.${n}` } satisfies GlobalRef); break; } // STACK_GLOBAL
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop() as GlobalRef | null;
        if (!fn || typeof fn !== 'object' || fn.kind !== 'global') throw fail('pickle REDUCE on a non-global', pos);
        stack.push(callGlobal(fn.name, args));
        break;
      }
      case 0x62: { const state = pop(); stack.push(build(pop(), state)); break; } // BUILD
      default:
        throw fail(`unsupported pickle opcode 0x${op.toString(16)} at byte ${pos - 1}`, pos - 1);
    }
  }
}

function describe(v: unknown): string {
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, 80);
  } catch {
    return String(v).slice(0, 80);
  }
}

/** The 'bbox' [x0, y0, x1, y1] of a B-Aist++ annotation pickle (a 5th score entry is ignored, as upstream). */
export function parseBboxPickle(bytes: Uint8Array): [number, number, number, number] {
  const value = decodePickle(bytes);
  if (!(value instanceof Map)) throw fail('annotation pickle is not a dict');
  const bbox = value.get('bbox');
  if (!Array.isArray(bbox) || (bbox.length !== 4 && bbox.length !== 5) || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw fail(`annotation 'bbox' must be 4 numbers but is ${describe(bbox)}`);
  }
  const [x0, y0, x1, y1] = bbox as number[];
  return [x0!, y0!, x1!, y1!];
}
