import { open } from "node:fs/promises";
import iconv from "iconv-lite";
import { UnprocessableError } from "../shared";

/** Encodings the importer detects by itself. Others can be named explicitly (any iconv-lite encoding). */
export type DetectedEncoding = "utf-8" | "utf-16le" | "utf-16be" | "gb18030";

export interface EncodingInfo {
  /** iconv-lite name of the encoding the file is decoded with. */
  encoding: string;
  /** Bytes of byte-order mark to skip at the start of the file (0, 2 or 3). */
  bomBytes: number;
  /** How the encoding was chosen. */
  how: "bom" | "valid-utf8" | "gb18030-heuristic" | "explicit";
}

/** Bytes read from the start of a file to detect its encoding. */
export const SAMPLE_BYTES = 256 * 1024;

/** Thrown when the file's bytes fit none of the supported encodings (never decoded into mojibake). */
export class EncodingError extends UnprocessableError {
  constructor(detail: string) {
    super(detail, "unsupported-encoding");
  }
}

/**
 * Detects the text encoding of a CSV file from its first `SAMPLE_BYTES` bytes:
 * 1. a byte-order mark: UTF-8 (EF BB BF), UTF-16 LE (FF FE), UTF-16 BE (FE FF);
 * 2. otherwise valid UTF-8 (plain ASCII included) is UTF-8;
 * 3. otherwise, when the sample decodes as GB18030 without invalid sequences and its non-ASCII text is
 *    mostly Chinese (CJK ideographs, CJK and full-width punctuation), GB18030 (a superset of GBK/GB2312);
 * 4. otherwise the file is refused with an EncodingError (e.g. Windows-1252 or Latin-1 text): pass the
 *    encoding explicitly to import such a file.
 * Invalid bytes later in the file are decoded to U+FFFD and reported per row by the reader.
 * @param explicit an iconv-lite encoding name that overrides detection. @throws EncodingError.
 */
export async function detectEncoding(file: string, explicit?: string): Promise<EncodingInfo> {
  const fh = await open(file, "r");
  let sample: Buffer;
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SAMPLE_BYTES, 0);
    sample = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  return detectEncodingOf(sample, explicit);
}

/** `detectEncoding` on bytes already read (the start of a file or a whole small file). */
export function detectEncodingOf(sample: Buffer, explicit?: string): EncodingInfo {
  const bom = bomOf(sample);
  if (explicit) {
    const name = explicit.toLowerCase();
    if (!iconv.encodingExists(name)) throw new EncodingError(`unknown encoding '${explicit}'; use a name iconv-lite knows, e.g. utf-8, gb18030, utf-16le, windows-1252`);
    // A BOM that matches the named encoding is still skipped.
    const skip = bom && sameEncoding(bom.encoding, name) ? bom.bytes : 0;
    return { encoding: name, bomBytes: skip, how: "explicit" };
  }
  if (bom) return { encoding: bom.encoding, bomBytes: bom.bytes, how: "bom" };
  if (isValidUtf8(sample)) return { encoding: "utf-8", bomBytes: 0, how: "valid-utf8" };
  if (looksLikeGb18030(sample)) return { encoding: "gb18030", bomBytes: 0, how: "gb18030-heuristic" };
  const at = firstInvalidUtf8(sample);
  throw new EncodingError(
    `the file is not UTF-8, UTF-16 (with BOM) or GB18030/GBK: invalid UTF-8 byte 0x${sample[at].toString(16).padStart(2, "0")} at byte offset ${at}` +
      ` and the text does not read as Chinese GB18030 either (a single-byte encoding such as Windows-1252 or Latin-1?).` +
      ` Re-save the file as UTF-8, or name its encoding explicitly (--encoding)`,
  );
}

function sameEncoding(a: string, b: string): boolean {
  const n = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  return n(a) === n(b);
}

function bomOf(b: Buffer): { encoding: DetectedEncoding; bytes: number } | null {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: "utf-8", bytes: 3 };
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { encoding: "utf-16le", bytes: 2 };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { encoding: "utf-16be", bytes: 2 };
  return null;
}

function isValidUtf8(b: Buffer): boolean {
  return firstInvalidUtf8(b) === -1;
}

/**
 * Offset of the first byte that breaks UTF-8, or -1. A multi-byte sequence cut off by the end of the
 * sample is not an error (the sample is the start of a longer file).
 */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) (len = 2), (min = 0x80);
    else if (c >= 0xe0 && c <= 0xef) (len = 3), (min = 0x800);
    else if (c >= 0xf0 && c <= 0xf4) (len = 4), (min = 0x10000);
    else return i;
    if (i + len > n) return -1;
    let cp = c & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const cc = b[i + k];
      if ((cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return -1;
}

function looksLikeGb18030(sample: Buffer): boolean {
  // Drop a possibly cut-off last character: at most 3 trailing bytes.
  let end = sample.length;
  const tail = iconv.decode(sample.subarray(Math.max(0, end - 4)), "gb18030");
  if (tail.endsWith("\ufffd")) end = Math.max(0, end - 3);
  const text = iconv.decode(sample.subarray(0, end), "gb18030");
  if (text.includes("\ufffd")) return false;
  let nonAscii = 0;
  let chinese = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) continue;
    nonAscii++;
    if (
      (cp >= 0x4e00 && cp <= 0x9fff) || // CJK unified ideographs
      (cp >= 0x3400 && cp <= 0x4dbf) || // extension A
      (cp >= 0x3000 && cp <= 0x303f) || // CJK punctuation
      (cp >= 0xff00 && cp <= 0xffef) || // full-width forms
      cp === 0x00b7 || cp === 0x2014 || cp === 0x2026 || (cp >= 0x2018 && cp <= 0x201d)
    )
      chinese++;
  }
  // Latin-1/Windows-1252 text mis-read as GBK yields rare, scattered ideographs and symbols; real Chinese
  // text is almost entirely ideographs and CJK punctuation.
  return nonAscii > 0 && chinese / nonAscii >= 0.95;
}

/** A decoding stream (bytes -> string chunks) for an encoding; invalid sequences become U+FFFD. */
export function decoderFor(info: EncodingInfo): NodeJS.ReadWriteStream {
  return iconv.decodeStream(info.encoding, { stripBOM: false });
}
