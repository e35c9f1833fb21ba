import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { isSealedSecret, openSecret, sealSecret } from "@/lib/secrets/secret-box";

const key = randomBytes(32).toString("base64");

describe("secret box", () => {
  test("round-trips a secret", () => {
    const sealed = sealSecret("dckr_pat_example", key);
    expect(sealed.startsWith("v1:")).toBe(true);
    expect(sealed).not.toContain("dckr_pat_example");
    expect(openSecret(sealed, key)).toBe("dckr_pat_example");
  });

  test("seals the same secret differently each time", () => {
    expect(sealSecret("same", key)).not.toBe(sealSecret("same", key));
  });

  test("rejects a missing key with the fix", () => {
    expect(() => sealSecret("password", undefined)).toThrow(/SECRETS_KEY is not set.*openssl rand -base64 32/);
  });

  test("rejects a key of the wrong size", () => {
    expect(() => sealSecret("password", randomBytes(16).toString("base64"))).toThrow(/decodes to 16 bytes/);
  });

  test("rejects another key", () => {
    const sealed = sealSecret("password", key);
    expect(() => openSecret(sealed, randomBytes(32).toString("base64"))).toThrow(/not the key it was sealed with/);
  });

  test("opens with a previous key", () => {
    const previous = randomBytes(32).toString("base64");
    const sealed = sealSecret("rotated", previous);
    expect(openSecret(sealed, key, [randomBytes(32).toString("base64"), previous])).toBe("rotated");
    expect(() => openSecret(sealed, key, [randomBytes(32).toString("base64")])).toThrow(
      "A stored secret could not be decrypted: neither SECRETS_KEY nor any of the 1 keys in SECRETS_KEY_PREVIOUS sealed it. Put the key that sealed it in SECRETS_KEY_PREVIOUS, or store the secret again.",
    );
  });

  test("tells sealed values from plain text", () => {
    expect(isSealedSecret(sealSecret("x", key))).toBe(true);
    expect(isSealedSecret("0123abcd")).toBe(false);
  });

  test("rejects a tampered value", () => {
    const sealed = sealSecret("password", key);
    const bytes = Buffer.from(sealed.slice(3), "base64");
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    expect(() => openSecret(`v1:${bytes.toString("base64")}`, key)).toThrow(/could not be decrypted/);
  });

  test("rejects an unknown format", () => {
    expect(() => openSecret("v9:abc", key)).toThrow(/unknown format "v9"/);
    expect(() => openSecret("v1:AAAA", key)).toThrow(/truncated/);
  });
});
