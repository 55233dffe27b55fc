// What a drop onto the page holds: loose files, or a folder walked entry by entry (with the path of
// each file inside it, as a directory picker would give), so a dropped pack folder imports whole.
// A browser adapter (platform/, not state/: it holds no app state, only talks to the browser).

export interface DroppedFolder {
  name: string;
  files: File[];
}

export interface DroppedItems {
  files: File[];
  folders: DroppedFolder[];
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** Every entry of a folder: readEntries returns them in batches until an empty one. */
async function entriesOf(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return out;
    out.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, prefix: string, into: File[]): Promise<void> {
  if (entry.isFile) {
    const file = await fileOf(entry as FileSystemFileEntry);
    // The importer reads folder paths from webkitRelativePath, as a directory picker sets it.
    Object.defineProperty(file, 'webkitRelativePath', { value: `${prefix}${file.name}` });
    into.push(file);
  } else if (entry.isDirectory) {
    for (const child of await entriesOf(entry as FileSystemDirectoryEntry)) await walk(child, `${prefix}${entry.name}/`, into);
  }
}

export async function droppedItems(transfer: DataTransfer): Promise<DroppedItems> {
  const entries = [...transfer.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((e) => e === null)) return { files: [...transfer.files], folders: [] };
  const files: File[] = [];
  const folders: DroppedFolder[] = [];
  for (const entry of entries as FileSystemEntry[]) {
    if (entry.isDirectory) {
      const inside: File[] = [];
      await walk(entry, '', inside);
      folders.push({ name: entry.name, files: inside });
    } else {
      files.push(await fileOf(entry as FileSystemFileEntry));
    }
  }
  return { files, folders };
}

/** Files picked with `<input webkitdirectory>`: the folder's name is the first path segment. */
export function pickedFolderName(files: readonly File[]): string {
  const path = files[0]?.webkitRelativePath ?? '';
  return path.split('/')[0] || 'folder';
}
