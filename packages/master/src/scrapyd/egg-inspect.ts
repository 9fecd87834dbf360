// First look at an egg uploaded to addversion.json (docs/scrapyd-api.md §3.2), before it is stored or shipped to any agent.
// Scrapyd only checks that the bytes are a ZIP (`zipfile.is_zipfile`); we also refuse archives that would be
// dangerous to unpack (entries escaping their directory, symlinks, zip bombs by declared size), because agents
// extract eggs into per-version environments. While walking the central directory we read the only two small
// metadata files we need: the `scrapy.settings` entry point (docs/scrapyd-api.md §2.4) and the declared requirements.
//
// Only the central directory and those two entries are read, never the rest of the data, so inspecting a large
// egg costs little. Declared sizes are trusted for the size limit; extraction must still enforce real sizes.
import type yauzlModule from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';

type Yauzl = typeof yauzlModule;

export type BadEggReason = 'not-zip' | 'corrupt' | 'unsafe-entry' | 'too-many-entries' | 'too-large';

/** The uploaded egg is unusable; `message` is what addversion.json reports. */
export class BadEggError extends Error {
  override readonly name = 'BadEggError';
  constructor(
    message: string,
    readonly reason: BadEggReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Scrapyd's exact message for a non-ZIP upload (docs/scrapyd-api.md §1.4). */
export const NOT_A_ZIP_MESSAGE = 'egg is not a ZIP file (if using curl, use egg=@path not egg=path)';

export interface EggInspectOptions {
  /** Largest total of the entries' declared uncompressed sizes. */
  maxUncompressedBytes: number;
  /** Most entries accepted (default 100,000). */
  maxEntries?: number;
}

export interface EggInfo {
  /** Text of `EGG-INFO/entry_points.txt`, or null when the egg has none. */
  entryPoints: string | null;
  /** Requirement lines of `EGG-INFO/requires.txt` (unconditional part only); `[]` when absent. */
  requirements: string[];
  /** Module named by the `[scrapy]` `settings` entry point, or null when there is none. */
  settingsModule: string | null;
}

export const DEFAULT_MAX_ENTRIES = 100_000;
const METADATA_MAX_BYTES = 1024 * 1024;
const ENTRY_POINTS = 'EGG-INFO/entry_points.txt';
const REQUIRES = 'EGG-INFO/requires.txt';

/**
 * Validates `egg` and extracts its metadata; throws BadEggError for anything we will not store.
 *
 * @example const { settingsModule } = await inspectEgg(bytes, { maxUncompressedBytes: 512 * 1024 * 1024 });
 */
export async function inspectEgg(egg: Buffer, options: EggInspectOptions): Promise<EggInfo> {
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  // Loaded at the first upload, not at start-up: an idle master doesn't hold the ZIP reader.
  const { default: yauzl } = await import('yauzl');
  const zip = await openZip(yauzl, egg);
  try {
    if (zip.entryCount > maxEntries) {
      throw new BadEggError(`egg has too many entries (${zip.entryCount} > ${maxEntries})`, 'too-many-entries');
    }
    const wanted = new Map<string, Entry>();
    let totalBytes = 0;
    for await (const entry of walk(zip)) {
      const name = checkEntry(yauzl, entry);
      totalBytes += entry.uncompressedSize;
      if (totalBytes > options.maxUncompressedBytes) {
        throw new BadEggError(
          `egg is too large once unpacked (over ${options.maxUncompressedBytes} bytes)`,
          'too-large',
        );
      }
      // First occurrence wins, as with Python's zipimport reading the central directory.
      if ((name === ENTRY_POINTS || name === REQUIRES) && !wanted.has(name)) wanted.set(name, entry);
    }
    const entryPointsEntry = wanted.get(ENTRY_POINTS);
    const requiresEntry = wanted.get(REQUIRES);
    const entryPoints = entryPointsEntry ? await readSmall(zip, entryPointsEntry, ENTRY_POINTS) : null;
    const requires = requiresEntry ? await readSmall(zip, requiresEntry, REQUIRES) : null;
    return {
      entryPoints,
      requirements: requires === null ? [] : parseRequires(requires),
      settingsModule: entryPoints === null ? null : findEntryPoint(entryPoints, 'scrapy', 'settings'),
    };
  } finally {
    zip.close();
  }
}

function openZip(yauzl: Yauzl, egg: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings: false — yauzl would otherwise reject unsafe names with its own wording, and rewrite
    // backslashes to slashes before we could see them.
    yauzl.fromBuffer(egg, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err) reject(new BadEggError(NOT_A_ZIP_MESSAGE, 'not-zip', { cause: err }));
      else resolve(zip);
    });
  });
}

/** Central directory entries one at a time (lazyEntries), turning yauzl errors into BadEggError. */
async function* walk(zip: ZipFile): AsyncGenerator<Entry> {
  for (;;) {
    const entry = await new Promise<Entry | null>((resolve, reject) => {
      const cleanup = (): void => {
        zip.off('entry', onEntry);
        zip.off('end', onEnd);
        zip.off('error', onError);
      };
      const onEntry = (e: Entry): void => {
        cleanup();
        resolve(e);
      };
      const onEnd = (): void => {
        cleanup();
        resolve(null);
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(corrupt(err));
      };
      zip.on('entry', onEntry);
      zip.on('end', onEnd);
      zip.on('error', onError);
      zip.readEntry();
    });
    if (entry === null) return;
    yield entry;
  }
}

function corrupt(err: unknown): BadEggError {
  const detail = err instanceof Error ? err.message : String(err);
  return new BadEggError(`egg is not a valid ZIP file: ${detail}`, 'corrupt', { cause: err });
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Returns the entry's name after checking that unpacking it stays inside the target directory. Both the name
 * from the header and the one from an Info-ZIP Unicode Path field are checked: unzip tools disagree on which
 * one they use.
 */
function checkEntry(yauzl: Yauzl, entry: Entry): string {
  // With decodeStrings: false yauzl leaves the raw bytes in fileName.
  const raw = entry.fileName as unknown as Buffer;
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, [], true);
  const unicode = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
  for (const candidate of new Set([name, unicode])) {
    if (escapes(candidate)) {
      throw new BadEggError(`egg entry escapes its directory: ${candidate}`, 'unsafe-entry');
    }
  }
  // Made on Unix (high byte of versionMadeBy = 3): the high 16 bits of the external attributes are st_mode.
  if (entry.versionMadeBy >> 8 === 3 && ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
    throw new BadEggError(`egg entry is a symbolic link: ${name}`, 'unsafe-entry');
  }
  return name;
}

function escapes(name: string): boolean {
  return (
    name.startsWith('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    /^[A-Za-z]:/.test(name) ||
    name.split('/').includes('..')
  );
}

async function readSmall(zip: ZipFile, entry: Entry, name: string): Promise<string> {
  if (entry.uncompressedSize > METADATA_MAX_BYTES) {
    throw new BadEggError(`egg metadata file ${name} is larger than 1 MB`, 'too-large');
  }
  try {
    const stream = await zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      size += buf.length;
      // yauzl already fails on a size mismatch; this also bounds memory before that check can fire.
      if (size > METADATA_MAX_BYTES) {
        stream.destroy();
        throw new BadEggError(`egg metadata file ${name} is larger than 1 MB`, 'too-large');
      }
      chunks.push(buf);
    }
    // Python reads these files as UTF-8; a BOM would otherwise glue itself to the first section name.
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
  } catch (err) {
    throw err instanceof BadEggError ? err : corrupt(err);
  }
}

/**
 * The module of entry point `name` in `[group]`, as pkg_resources reads entry_points.txt: lines are stripped,
 * blank and `#` lines skipped, `[section]` headers start a group, and `name = module[:attr] [extras]`.
 */
export function findEntryPoint(text: string, group: string, name: string): string | null {
  let section: string | null = null;
  for (const rawLine of text.split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[') && line.endsWith(']')) {
      section = line.slice(1, -1).trim();
      continue;
    }
    if (section !== group) continue;
    const m = /^(.+?)\s*=\s*([\w.]+)\s*(?::\s*[\w.]+)?\s*(?:\[.*\])?\s*$/u.exec(line);
    if (m && m[1] === name) return m[2] ?? null;
  }
  return null;
}

/** Requirement lines before the first `[extra]` section of requires.txt, stripped, without blanks/comments. */
export function parseRequires(text: string): string[] {
  const out: string[] = [];
  for (const rawLine of text.split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (line.startsWith('[')) break;
    if (line === '' || line.startsWith('#')) continue;
    out.push(line);
  }
  return out;
}
