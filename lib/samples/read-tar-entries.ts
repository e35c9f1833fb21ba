import { extract } from "tar-stream";

/** One tar entry as tests and checks inspect it. */
export interface TarEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  linkname: string | null;
  content: Buffer;
}

/** Reads every entry of an uncompressed tar, in archive order. */
export async function readTarEntries(tar: Uint8Array): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const reader = extract();
  const done = (async () => {
    for await (const entry of reader) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
      const { header } = entry;
      entries.push({
        name: header.name,
        type: header.type,
        mode: header.mode,
        uid: header.uid,
        gid: header.gid,
        mtime: header.mtime,
        linkname: header.linkname ?? null,
        content: Buffer.concat(chunks),
      });
    }
  })();

  reader.end(Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength));
  await done;
  return entries;
}
