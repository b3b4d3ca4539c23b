// A minimal, safe Python pickle reader for the B-Aist++ annotations (`blur_anno/{i:08d}.pkl`, a
// dict with 'bbox' = [x0, y0, x1, y1]). Pure (bytes in, values out). It interprets the opcodes of
// protocols 0-5 that plain containers, numbers and strings use, plus the few globals a numpy
// scalar or 1-D array pickles to; any other global is refused (nothing is ever executed).

/** A numpy dtype as pickled: its type string ('i8', 'f4', ...) and byte order ('<', '>', '|'). */
interface NumpyDtype { readonly kind: 'dtype'; readonly descr: string; order: string }
/** A numpy array under construction (REDUCE gives an empty shell, BUILD fills it). */
interface NumpyArray { readonly kind: 'ndarray'; values: number[] }
interface GlobalRef { readonly kind: 'global'; readonly name: string }
const MARK = Symbol('mark');

/** Values a pickle decodes to: dicts become Maps, lists and tuples arrays, numpy numbers numbers. */
export type PickleValue = null | boolean | number | string | Uint8Array | PickleValue[] | Map<PickleValue, PickleValue>;

const DTYPE_SIZES: Record<string, number> = { b1: 1, i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8, f2: 2, f4: 4, f8: 8 };

function decodeNumbers(dtype: NumpyDtype, bytes: Uint8Array): number[] {
  const size = DTYPE_SIZES[dtype.descr];
  if (size === undefined || dtype.descr === 'f2') throw new TypeError(`unsupported numpy dtype ${dtype.descr}`);
  if (bytes.length % size !== 0) throw new TypeError(`numpy data of ${bytes.length} bytes is not a multiple of ${size}`);
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
  if (!m) throw new TypeError(`unsupported numpy dtype ${d}`);
  return { descr: `${m[2]}${m[3]}`, order: m[1] === '>' ? '>' : '<' };
}

/** Apply one of the few whitelisted globals to its arguments. */
function callGlobal(name: string, args: unknown[]): unknown {
  const base = name.replace(/^numpy\._core\./, 'numpy.core.');
  switch (base) {
    case '_codecs.encode':
      return latin1Bytes(String(args[0]));
    case 'numpy.dtype':
      return { kind: 'dtype', ...normaliseDescr(String(args[0])) } satisfies NumpyDtype;
    case 'numpy.core.multiarray.scalar': {
      const dtype = args[0] as NumpyDtype;
      const data = typeof args[1] === 'string' ? latin1Bytes(args[1]) : (args[1] as Uint8Array);
      return decodeNumbers(dtype, data)[0];
    }
    case 'numpy.core.multiarray._reconstruct':
      return { kind: 'ndarray', values: [] } satisfies NumpyArray;
    default:
      throw new TypeError(`refusing to call global ${name}`);
  }
}

/** BUILD: set the state of a dtype, an ndarray or a dict. */
function build(obj: unknown, state: unknown): unknown {
  if (obj && typeof obj === 'object' && 'kind' in obj) {
    const st = state as unknown[];
    if (obj.kind === 'dtype') {
      (obj as NumpyDtype).order = String(st[1]) === '>' ? '>' : '<';
      return obj;
    }
    if (obj.kind === 'ndarray') {
      // state = (version, shape, dtype, is_fortran, raw bytes)
      const raw = st[4];
      (obj as NumpyArray).values = decodeNumbers(st[2] as NumpyDtype, typeof raw === 'string' ? latin1Bytes(raw) : (raw as Uint8Array));
      return obj;
    }
  }
  if (obj instanceof Map && state instanceof Map) {
    for (const [k, v] of state) obj.set(k, v);
    return obj;
  }
  throw new TypeError('unsupported BUILD target');
}

/** Replace numpy arrays by plain number arrays, recursively. */
function finish(v: unknown): PickleValue {
  if (Array.isArray(v)) return v.map(finish);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [finish(k), finish(x)]));
  if (v && typeof v === 'object' && 'kind' in v) {
    if (v.kind === 'ndarray') return (v as NumpyArray).values;
    throw new TypeError(`unexpected ${String(v.kind)} object in the result`);
  }
  return v as PickleValue;
}

/** Decode pickle bytes (protocols 0-5, plain data and numpy numbers); TypeError on anything else. */
export function decodePickle(bytes: Uint8Array): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8');
  let pos = 0;
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const need = (n: number) => {
    if (pos + n > bytes.length) throw new TypeError(`truncated pickle at byte ${pos}`);
    const p = pos;
    pos += n;
    return p;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new TypeError(`truncated pickle at byte ${pos}`);
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const str = (n: number) => text.decode(bytes.subarray(need(n), pos));
  const raw = (n: number) => bytes.slice(need(n), pos);
  const popMark = () => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new TypeError('pickle MARK not found');
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const pop = () => {
    if (stack.length === 0) throw new TypeError(`pickle stack underflow at byte ${pos}`);
    return stack.pop();
  };
  const top = () => stack[stack.length - 1];
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
        if (!memo.has(k)) throw new TypeError(`pickle memo ${k} missing`);
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
      case 0x61: { const v = pop(); (top() as unknown[]).push(v); break; } // APPEND
      case 0x65: { const items = popMark(); (top() as unknown[]).push(...items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); (top() as Map<unknown, unknown>).set(k, v); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        const d = top() as Map<unknown, unknown>;
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case 0x63: { const mod = line(); stack.push({ kind: 'global', name: `${mod}.${line()}` } satisfies GlobalRef); break; } // GLOBAL
      case 0x93: { const n = String(pop()); stack.push({ kind: 'global', name: `${String(pop())}.${n}` } satisfies GlobalRef); break; } // STACK_GLOBAL
      case 0x52: { // REDUCE
        const args = pop() as unknown[];
        const fn = pop() as GlobalRef;
        if (!fn || fn.kind !== 'global') throw new TypeError('pickle REDUCE on a non-global');
        stack.push(callGlobal(fn.name, args));
        break;
      }
      case 0x62: { const state = pop(); stack.push(build(pop(), state)); break; } // BUILD
      default:
        throw new TypeError(`unsupported pickle opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }
}

/** The 'bbox' [x0, y0, x1, y1] of a B-Aist++ annotation pickle (a 5th score entry is ignored, as upstream). */
export function parseBboxPickle(bytes: Uint8Array): [number, number, number, number] {
  const value = decodePickle(bytes);
  if (!(value instanceof Map)) throw new TypeError('annotation pickle is not a dict');
  const bbox = value.get('bbox');
  if (!Array.isArray(bbox) || (bbox.length !== 4 && bbox.length !== 5) || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new TypeError(`annotation 'bbox' must be 4 numbers but is ${JSON.stringify(bbox)}`);
  }
  const [x0, y0, x1, y1] = bbox as number[];
  return [x0!, y0!, x1!, y1!];
}
