// Just enough of the Windows PE/COFF format (Microsoft's "PE Format" specification) to check a
// release binary and to drop node.exe's Authenticode signature before injection: after postject
// adds a resource the signature no longer matches, and a corrupt signature is treated worse than
// none (as `signtool remove /s` does, which Node's single-executable guide suggests).

export interface PeSection {
  name: string;
  virtualAddress: number;
  virtualSize: number;
  rawOffset: number;
  rawSize: number;
}

export interface PeImage {
  machine: number;
  /** 0x10b PE32, 0x20b PE32+ (64-bit). */
  magic: number;
  sections: PeSection[];
  /** Data directories: [rva (a file offset for the certificate table), size]. */
  directories: Array<[number, number]>;
  /** File offset of the data directories. */
  directoriesOffset: number;
}

export const PE32_PLUS = 0x20b;
export const MACHINE_AMD64 = 0x8664;
const RT_RCDATA = 10;
const DIRECTORY_RESOURCE = 2;
const DIRECTORY_SECURITY = 4;

function fail(why: string): never {
  throw new Error(`not a PE image: ${why}`);
}

export function parsePe(file: Buffer): PeImage {
  if (file.length < 0x40 || file.toString('latin1', 0, 2) !== 'MZ') fail('no MZ header');
  const pe = file.readUInt32LE(0x3c);
  if (pe + 24 > file.length || file.toString('latin1', pe, pe + 4) !== 'PE\0\0') fail('no PE signature');
  const machine = file.readUInt16LE(pe + 4);
  const sectionCount = file.readUInt16LE(pe + 6);
  const optionalSize = file.readUInt16LE(pe + 20);
  const optional = pe + 24;
  const magic = file.readUInt16LE(optional);
  if (magic !== 0x10b && magic !== PE32_PLUS) fail(`optional header magic 0x${magic.toString(16)}`);
  const countOffset = optional + (magic === PE32_PLUS ? 108 : 92);
  const directoriesOffset = countOffset + 4;
  const count = file.readUInt32LE(countOffset);
  const directories: Array<[number, number]> = [];
  for (let i = 0; i < count; i += 1) directories.push([file.readUInt32LE(directoriesOffset + 8 * i), file.readUInt32LE(directoriesOffset + 8 * i + 4)]);
  const sections: PeSection[] = [];
  for (let i = 0, at = optional + optionalSize; i < sectionCount; i += 1, at += 40) {
    sections.push({
      name: file.toString('latin1', at, at + 8).replace(/\0+$/, ''),
      virtualSize: file.readUInt32LE(at + 8),
      virtualAddress: file.readUInt32LE(at + 12),
      rawSize: file.readUInt32LE(at + 16),
      rawOffset: file.readUInt32LE(at + 20),
    });
  }
  return { machine, magic, sections, directories, directoriesOffset };
}

function fileOffset(image: PeImage, rva: number): number {
  const section = image.sections.find((s) => rva >= s.virtualAddress && rva < s.virtualAddress + Math.max(s.virtualSize, s.rawSize));
  if (!section) fail(`RVA 0x${rva.toString(16)} is in no section`);
  return section.rawOffset + (rva - section.virtualAddress);
}

/** The data of the RT_RCDATA resource with this (string) name, first language; undefined if absent. */
export function findRcData(file: Buffer, name: string, image = parsePe(file)): Buffer | undefined {
  const [rva, size] = image.directories[DIRECTORY_RESOURCE] ?? [0, 0];
  if (rva === 0 || size === 0) return undefined;
  const root = fileOffset(image, rva);
  interface Entry {
    id: number | string;
    offset: number;
    isDirectory: boolean;
  }
  const entries = (dir: number): Entry[] => {
    const named = file.readUInt16LE(dir + 12);
    const ids = file.readUInt16LE(dir + 14);
    const list: Entry[] = [];
    for (let i = 0, at = dir + 16; i < named + ids; i += 1, at += 8) {
      const nameField = file.readUInt32LE(at);
      const dataField = file.readUInt32LE(at + 4);
      let id: number | string = nameField;
      if (nameField & 0x80000000) {
        const str = root + (nameField & 0x7fffffff);
        id = file.toString('utf16le', str + 2, str + 2 + 2 * file.readUInt16LE(str));
      }
      list.push({ id, offset: root + (dataField & 0x7fffffff), isDirectory: (dataField & 0x80000000) !== 0 });
    }
    return list;
  };
  const type = entries(root).find((entry) => entry.id === RT_RCDATA && entry.isDirectory);
  const named = type && entries(type.offset).find((entry) => entry.id === name && entry.isDirectory);
  const language = named && entries(named.offset).find((entry) => !entry.isDirectory);
  if (!language) return undefined;
  const dataRva = file.readUInt32LE(language.offset);
  const dataSize = file.readUInt32LE(language.offset + 4);
  const start = fileOffset(image, dataRva);
  return file.subarray(start, start + dataSize);
}

/** The Authenticode certificate table: [file offset, size], or undefined when the image is unsigned. */
export function signature(image: PeImage): [number, number] | undefined {
  const [offset, size] = image.directories[DIRECTORY_SECURITY] ?? [0, 0];
  return offset !== 0 && size !== 0 ? [offset, size] : undefined;
}

/** The image without its Authenticode signature (the certificate table at the end of the file). */
export function withoutSignature(file: Buffer): Buffer {
  const image = parsePe(file);
  const table = signature(image);
  if (!table) return file;
  const [offset, size] = table;
  // The table is the last thing in a signed file (padding to 8 bytes aside); anything after it would be lost.
  if (offset + size < file.length - 8 || offset + size > file.length) fail(`certificate table at ${offset}+${size} is not at the end of the file (${file.length} bytes)`);
  const out = Buffer.from(file.subarray(0, offset));
  const entry = image.directoriesOffset + 8 * DIRECTORY_SECURITY;
  out.writeUInt32LE(0, entry);
  out.writeUInt32LE(0, entry + 4);
  return out;
}
