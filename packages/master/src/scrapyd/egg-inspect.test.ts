import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  BadEggError,
  NOT_A_ZIP_MESSAGE,
  findEntryPoint,
  inspectEgg,
  parseRequires,
  type BadEggReason,
  type EggInspectOptions,
} from './egg-inspect.js';

// A minimal ZIP writer: stored (uncompressed) entries, enough to build every shape the inspector must handle.
interface ZipEntry {
  name: string | Buffer;
  data?: string | Buffer;
  /** Unix st_mode for the "made by Unix" external attributes (e.g. 0o120777 for a symlink). */
  mode?: number;
  extra?: Buffer;
  /** Overrides the compressed size declared in the central directory. */
  declaredCompressedSize?: number;
}

function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const data = Buffer.from(entry.data ?? '');
    const extra = entry.extra ?? Buffer.alloc(0);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, data);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(entry.mode === undefined ? 20 : (3 << 8) | 20, 4); // made by (Unix when a mode is given)
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(entry.declaredCompressedSize ?? data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(entry.mode === undefined ? 0 : (entry.mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name, extra);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/** Info-ZIP Unicode Path extra field (0x7075) naming `unicodeName` for an entry whose header says `headerName`. */
function unicodePathField(headerName: string, unicodeName: string): Buffer {
  const data = Buffer.concat([Buffer.from([1]), Buffer.alloc(4), Buffer.from(unicodeName)]);
  data.writeUInt32LE(crc32(Buffer.from(headerName)), 1);
  const header = Buffer.alloc(4);
  header.writeUInt16LE(0x7075, 0);
  header.writeUInt16LE(data.length, 2);
  return Buffer.concat([header, data]);
}

const LIMITS = { maxUncompressedBytes: 10 * 1024 * 1024 };

async function rejectsWith(
  egg: Buffer,
  reason: BadEggReason,
  message: string | RegExp,
  options: EggInspectOptions = LIMITS,
): Promise<void> {
  await assert.rejects(inspectEgg(egg, options), (err: unknown) => {
    assert.ok(err instanceof BadEggError, String(err));
    assert.equal(err.reason, reason);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

const ENTRY_POINTS = '[scrapy]\nsettings = myproject.settings\n';

void test('reads the settings entry point and the requirements of a valid egg', async () => {
  const egg = zip([
    { name: 'myproject/' },
    { name: 'myproject/__init__.py', data: '' },
    { name: 'myproject/settings.py', data: 'BOT_NAME = "x"\n' },
    { name: 'EGG-INFO/PKG-INFO', data: 'Metadata-Version: 2.1\n' },
    { name: 'EGG-INFO/entry_points.txt', data: ENTRY_POINTS },
    { name: 'EGG-INFO/requires.txt', data: 'requests>=2\n\n# comment\n  lxml  \n[socks]\nPySocks\n' },
  ]);
  assert.deepEqual(await inspectEgg(egg, LIMITS), {
    entryPoints: ENTRY_POINTS,
    requirements: ['requests>=2', 'lxml'],
    settingsModule: 'myproject.settings',
  });
});

void test('an egg without metadata, and an empty ZIP, are fine', async () => {
  const empty = { entryPoints: null, requirements: [], settingsModule: null };
  assert.deepEqual(await inspectEgg(zip([{ name: 'a.py', data: 'x' }]), LIMITS), empty);
  assert.deepEqual(await inspectEgg(zip([]), LIMITS), empty);
  assert.deepEqual(
    await inspectEgg(zip([{ name: 'EGG-INFO/entry_points.txt', data: '[console_scripts]\nx = y:z\n' }]), LIMITS),
    {
      ...empty,
      entryPoints: '[console_scripts]\nx = y:z\n',
    },
  );
});

void test('not a ZIP: Scrapyd message', async () => {
  await rejectsWith(Buffer.from('egg.egg'), 'not-zip', NOT_A_ZIP_MESSAGE);
  await rejectsWith(Buffer.alloc(0), 'not-zip', NOT_A_ZIP_MESSAGE);
  await rejectsWith(Buffer.from('PK\x03\x04 truncated'), 'not-zip', NOT_A_ZIP_MESSAGE);
  assert.equal(NOT_A_ZIP_MESSAGE, 'egg is not a ZIP file (if using curl, use egg=@path not egg=path)');
});

void test('entries escaping their directory are refused', async () => {
  await rejectsWith(
    zip([{ name: 'ok.py' }, { name: '../evil.py', data: 'x' }]),
    'unsafe-entry',
    'egg entry escapes its directory: ../evil.py',
  );
  for (const name of ['/etc/passwd', 'a/../../b.py', 'a/..', '..', 'a\\..\\b.py', 'C:/x.py', 'c:x.py', 'a\0b.py']) {
    await rejectsWith(zip([{ name }]), 'unsafe-entry', `egg entry escapes its directory: ${name}`);
  }
  // Names that merely look similar are fine.
  const ok = await inspectEgg(zip([{ name: 'a/..b/c..py' }, { name: 'x/.../y' }, { name: './z.py' }]), LIMITS);
  assert.equal(ok.settingsModule, null);
});

void test('a Unicode Path extra field is checked as well as the header name', async () => {
  const egg = zip([{ name: 'harmless.py', extra: unicodePathField('harmless.py', '../evil.py') }]);
  await rejectsWith(egg, 'unsafe-entry', 'egg entry escapes its directory: ../evil.py');
});

void test('symbolic links are refused', async () => {
  await rejectsWith(
    zip([{ name: 'link', data: '/etc/passwd', mode: 0o120777 }]),
    'unsafe-entry',
    'egg entry is a symbolic link: link',
  );
  // A regular Unix file is fine.
  await inspectEgg(zip([{ name: 'file.py', data: 'x', mode: 0o100644 }]), LIMITS);
});

void test('entry count and declared size limits', async () => {
  const three = zip([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  await rejectsWith(three, 'too-many-entries', 'egg has too many entries (3 > 2)', { ...LIMITS, maxEntries: 2 });
  await inspectEgg(three, { ...LIMITS, maxEntries: 3 });
  const big = zip([
    { name: 'a', data: 'x'.repeat(600) },
    { name: 'b', data: 'y'.repeat(600) },
  ]);
  await rejectsWith(big, 'too-large', /too large once unpacked \(over 1000 bytes\)/, { maxUncompressedBytes: 1000 });
  await inspectEgg(big, { maxUncompressedBytes: 1200 });
});

void test('metadata files over 1 MB are refused', async () => {
  const huge = zip([{ name: 'EGG-INFO/requires.txt', data: 'x'.repeat(1024 * 1024 + 1) }]);
  await rejectsWith(huge, 'too-large', 'egg metadata file EGG-INFO/requires.txt is larger than 1 MB');
});

void test('a damaged archive is "corrupt", not "not a ZIP"', async () => {
  const egg = zip([{ name: 'EGG-INFO/entry_points.txt', data: ENTRY_POINTS }]);
  // Break the central directory signature (it starts right after the local header, name and data).
  const cdStart = 30 + 'EGG-INFO/entry_points.txt'.length + ENTRY_POINTS.length;
  const badCd = Buffer.from(egg);
  badCd.writeUInt32LE(0xdeadbeef, cdStart);
  await rejectsWith(badCd, 'corrupt', /^egg is not a valid ZIP file: /);
  // Break the local header of the entry we have to read.
  const badLocal = Buffer.from(egg);
  badLocal.writeUInt32LE(0xdeadbeef, 0);
  await rejectsWith(badLocal, 'corrupt', /^egg is not a valid ZIP file: /);
  // A stored entry cannot have different compressed and uncompressed sizes.
  const mismatch = zip([{ name: 'EGG-INFO/entry_points.txt', data: ENTRY_POINTS, declaredCompressedSize: 3 }]);
  await rejectsWith(mismatch, 'corrupt', /size mismatch/);
});

void test('findEntryPoint reads entry_points.txt like pkg_resources', () => {
  const text = [
    '\ufeff# generated',
    '[console_scripts]',
    'settings = wrong.module',
    '',
    '  [ scrapy ]  ',
    '  # comment',
    'other = x.y',
    'settings   =   proj.settings.prod : attr [extra1, extra2]',
    '[later]',
    'settings = also.wrong',
  ].join('\r\n');
  assert.equal(findEntryPoint(text, 'scrapy', 'settings'), 'proj.settings.prod');
  assert.equal(findEntryPoint(text, 'scrapy', 'other'), 'x.y');
  assert.equal(findEntryPoint(text, 'scrapy', 'missing'), null);
  assert.equal(findEntryPoint('[Scrapy]\nsettings = a\n', 'scrapy', 'settings'), null); // group names are case-sensitive
  assert.equal(findEntryPoint('settings = a\n', 'scrapy', 'settings'), null);
  assert.equal(findEntryPoint('[scrapy]\nsettings = not a module\n', 'scrapy', 'settings'), null);
});

void test('parseRequires keeps the unconditional requirements only', () => {
  assert.deepEqual(parseRequires('a\r\n  b>=1  \n\n# c\n[:python_version < "3.8"]\nd\n'), ['a', 'b>=1']);
  assert.deepEqual(parseRequires(''), []);
  assert.deepEqual(parseRequires('[extra]\nx\n'), []);
});
