import { describe, expect, test } from "vitest";
import { parseEnv } from "@/lib/env";

describe("parseEnv", () => {
  test("applies defaults", () => {
    const env = parseEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATA_DIR).toBe(".data");
    expect(env.REGISTRY_ORG).toEqual([]);
    expect(env.REGISTRY_INSECURE).toBe(false);
    expect(env.WEB_WORKER).toBe(true);
    expect(env.SYNC_INTERVAL_MINUTES).toBe(15);
    expect(env.ADVISORY_SOURCES).toEqual([]);
    expect(env.ADVISORY_IMPORT_INTERVAL_MINUTES).toBe(360);
  });

  test("splits organizations on commas", () => {
    const env = parseEnv({ REGISTRY_URL: "https://registry.example.com", REGISTRY_ORG: " acme, platform ,," });
    expect(env.REGISTRY_ORG).toEqual(["acme", "platform"]);
  });

  test.each([
    [{ PORT: "http" }, /PORT/],
    [{ PORT: "70000" }, /PORT/],
    [{ REGISTRY_INSECURE: "maybe" }, /REGISTRY_INSECURE/],
    [{ DATABASE_URL: "not a url" }, /DATABASE_URL/],
    [{ SYNC_INTERVAL_MINUTES: "0" }, /SYNC_INTERVAL_MINUTES/],
    [{ SYNC_INTERVAL_MINUTES: "721" }, /SYNC_INTERVAL_MINUTES/],
    [{ REGISTRY_URL: "https://registry.example.com" }, /REGISTRY_ORG/],
    [{ REGISTRY_USERNAME: "robot" }, /REGISTRY_PASSWORD/],
  ])("rejects %o", (source, pattern) => {
    expect(() => parseEnv(source)).toThrow(pattern);
  });

  test("names the bad value but never a password", () => {
    expect(() => parseEnv({ PORT: "http" })).toThrow(/"http"/);
    expect(() => parseEnv({ REGISTRY_PASSWORD: "", REGISTRY_USERNAME: "robot" })).toThrow(/set together/);
  });
});

describe("parseEnv redaction", () => {
  test("hides the password of an invalid database URL", () => {
    let message = "";
    try {
      parseEnv({ DATABASE_URL: "postgresql://admin:TopS3cret@db:notaport/shipshape" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("DATABASE_URL");
    expect(message).toContain("admin:[redacted]@");
    expect(message).not.toContain("TopS3cret");
  });

  test.each([["mysql://user@db/shipshape"], ["DEMO"], ["demo/web"]])("rejects %s where it does not fit", (value) => {
    const source = value.includes("://") ? { DATABASE_URL: value } : { REGISTRY_URL: "https://registry.example.com", REGISTRY_ORG: value };
    expect(() => parseEnv(source)).toThrow(value.includes("://") ? /postgresql/ : /REGISTRY_ORG/);
  });
});
