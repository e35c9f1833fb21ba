import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

import { gzipDeterministic } from "@/lib/samples/deterministic-gzip";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("gzipDeterministic", () => {
  it("writes stored blocks byte for byte", () => {
    const member = gzipDeterministic(new TextEncoder().encode("hello"), "stored");

    // Header (MTIME 0, XFL 0, OS 255), one final stored block of 5 bytes,
    // CRC-32 of "hello" (0x3610a686) and ISIZE 5, both little-endian.
    expect(hex(member)).toBe("1f8b08000000000000ff" + "010500faff" + "68656c6c6f" + "86a61036" + "05000000");
  });

  it("splits stored data into 65535-byte blocks", () => {
    const data = new Uint8Array(70_000).map((_, index) => index % 251);
    const member = gzipDeterministic(data, "stored");

    expect(member[10]).toBe(0);
    expect(hex(member.subarray(11, 15))).toBe("ffff0000");
    expect(member[10 + 5 + 0xffff]).toBe(1);
    expect(Buffer.compare(gunzipSync(member), Buffer.from(data))).toBe(0);
  });

  it("stores empty input as one empty block", () => {
    const member = gzipDeterministic(new Uint8Array(0), "stored");

    expect(hex(member)).toBe("1f8b08000000000000ff" + "010000ffff" + "00000000" + "00000000");
    expect(gunzipSync(member).byteLength).toBe(0);
  });

  it("zlib method has a fixed header and round-trips", () => {
    const data = new TextEncoder().encode("Package: base-files\nVersion: 12.4+deb12u11\n".repeat(200));
    const first = gzipDeterministic(data, "zlib");
    const second = gzipDeterministic(data, "zlib");

    expect(hex(first.subarray(0, 10))).toBe("1f8b08000000000002ff");
    expect(hex(second)).toBe(hex(first));
    expect(first.byteLength).toBeLessThan(data.byteLength / 10);
    expect(Buffer.compare(gunzipSync(first), Buffer.from(data))).toBe(0);
  });
});
