import { zipSync, type Zippable } from "fflate";

const encoder = new TextEncoder();

const POM_PROPERTIES = "groupId=org.example\nartifactId=fuzz\nversion=1.0\n";

/**
 * Java archives built to break a zip reader: bombs, nesting, sizes and
 * offsets in the central directory that lie, and metadata with absurd lines.
 */
export function hostileJars(): { name: string; bytes: Uint8Array }[] {
  const zeros = new Uint8Array(100 * 1024 * 1024);
  const bombInner = zipSync({ "a.jar": [zeros, { level: 9 }] });
  const wideBomb: Zippable = {};
  for (let index = 0; index < 20; index += 1) wideBomb[`lib/x${index}.jar`] = [bombInner, { level: 0 }];

  let deep = zipSync({ "META-INF/maven/org.example/fuzz/pom.properties": encoder.encode(POM_PROPERTIES) });
  for (let depth = 0; depth < 12; depth += 1) deep = zipSync({ [`lib/level${depth}.jar`]: deep });

  const plain = zipSync({ "META-INF/MANIFEST.MF": [encoder.encode(`Manifest-Version: 1.0\n${"X-Pad: y\n".repeat(200_000)}`), { level: 9 }] });

  return [
    { name: "jar-bomb-wide", bytes: zipSync(wideBomb) },
    { name: "jar-bomb-metadata", bytes: zipSync({ "META-INF/MANIFEST.MF": [zeros.subarray(0, 64 * 1024 * 1024), { level: 9 }] }) },
    { name: "jar-nested-12-deep", bytes: deep },
    { name: "jar-declared-size-lies", bytes: withDeclaredSizes(plain, 16) },
    { name: "jar-declared-size-huge", bytes: withDeclaredSizes(plain, 0xfffffffe) },
    { name: "jar-entry-count-overflow", bytes: withEndRecord(plain, (view, offset) => view.setUint16(offset + 10, 0xffff, true)) },
    { name: "jar-central-offset-overflow", bytes: withEndRecord(plain, (view, offset) => view.setUint32(offset + 16, 0xfffffff0, true)) },
    { name: "jar-central-size-overflow", bytes: withEndRecord(plain, (view, offset) => view.setUint32(offset + 12, 0xffffffff, true)) },
    { name: "jar-manifest-continuations", bytes: zipSync({ "META-INF/MANIFEST.MF": encoder.encode(`Manifest-Version: 1.0\nImplementation-Title: a\n${" b\n".repeat(300_000)}`) }) },
    { name: "jar-pom-properties-nul", bytes: zipSync({ "META-INF/maven/g/a/pom.properties": encoder.encode(`groupId=\0\nartifactId=${"\u0000".repeat(1000)}\nversion=\ud800\n`) }) },
    { name: "jar-empty-zip", bytes: Uint8Array.of(0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)) },
  ];
}

/** Rewrites the uncompressed size in every central directory header. */
function withDeclaredSizes(zip: Uint8Array, size: number): Uint8Array {
  const output = zip.slice();
  const view = new DataView(output.buffer);
  for (let offset = 0; offset + 46 <= output.length; offset += 1) {
    if (view.getUint32(offset, true) === 0x02014b50) view.setUint32(offset + 24, size, true);
  }
  return output;
}

/** Edits the end of central directory record. */
function withEndRecord(zip: Uint8Array, edit: (view: DataView, offset: number) => void): Uint8Array {
  const output = zip.slice();
  const view = new DataView(output.buffer);
  for (let offset = output.length - 22; offset >= 0; offset -= 1) {
    if (view.getUint32(offset, true) === 0x06054b50) {
      edit(view, offset);
      break;
    }
  }
  return output;
}
