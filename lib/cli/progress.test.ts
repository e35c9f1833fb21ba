import { describe, expect, test } from "vitest";
import { createProgress, formatBytes, progressEnabled, withLayerProgress } from "@/lib/cli/progress";
import type { RegistrySource } from "@/lib/registry/registry-source";

describe("progress", () => {
  test.each([
    [{ quiet: false, isTerminal: true, environment: {} }, true],
    [{ quiet: false, isTerminal: true, environment: { CI: "false" } }, true],
    [{ quiet: false, isTerminal: false, environment: {} }, false],
    [{ quiet: false, isTerminal: true, environment: { CI: "true" } }, false],
    [{ quiet: true, isTerminal: true, environment: {} }, false],
  ])("enabled for %o is %s", (options, expected) => {
    expect(progressEnabled(options)).toBe(expected);
  });

  test("disabled progress writes nothing", () => {
    const written: string[] = [];
    const progress = createProgress(false, { write: (text: string) => written.push(text) });
    progress.step("Reading layer 1");
    progress.finish();
    expect(written).toEqual([]);
  });

  test("layer bytes are counted", async () => {
    const written: string[] = [];
    const progress = createProgress(true, { write: (text: string) => written.push(text) });
    const bytes = new Uint8Array(3000);
    const source = {
      openBlob: async () => ({ stream: new Blob([bytes]).stream(), size: bytes.byteLength }),
    } as unknown as RegistrySource;
    const blob = await withLayerProgress(source, progress).openBlob("acme/api", `sha256:${"a".repeat(64)}`);
    let read = 0;
    const reader = blob.stream.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) read += chunk.value.byteLength;
    progress.finish();

    expect(read).toBe(3000);
    expect(written.at(-2)).toBe(`\r\u001b[2KReading layer 1 (sha256:aaaaaaaaaaaa): 2.9 KiB of 2.9 KiB, done`);
    expect(written.at(-1)).toBe("\r\u001b[2K");
  });

  test.each([
    [512, "512 B"],
    [1536, "1.5 KiB"],
    [3 * 1024 ** 3, "3.0 GiB"],
  ])("formatBytes(%i)", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
