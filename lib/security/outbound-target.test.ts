import { describe, expect, test } from "vitest";
import { AppError } from "@/lib/errors";
import { assertPublicTarget, isBlockedAddress } from "@/lib/security/outbound-target";

describe("isBlockedAddress", () => {
  test.each([
    ["127.0.0.1", true],
    ["127.255.0.9", true],
    ["10.1.2.3", true],
    ["172.16.0.1", true],
    ["172.31.255.255", true],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["224.0.0.251", true],
    ["::1", true],
    ["::", true],
    ["fd00::1", true],
    ["fe80::1", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:10.0.0.1", true],
    ["not-an-address", true],
    ["8.8.8.8", false],
    ["172.32.0.1", false],
    ["100.128.0.1", false],
    ["2001:4860:4860::8888", false],
    ["::ffff:8.8.8.8", false],
    ["::127.0.0.1", true],
    ["64:ff9b::a9fe:a9fe", true],
    ["64:ff9b:1::a00:1", true],
    ["2002:7f00:1::", true],
    ["2001:db8::1", true],
    ["192.0.2.10", true],
    ["198.51.100.10", true],
    ["203.0.113.10", true],
  ])("%s is blocked: %s", (address, blocked) => {
    expect(isBlockedAddress(address)).toBe(blocked);
  });
});

describe("assertPublicTarget", () => {
  async function rejection(url: string, allowed: string[] = []): Promise<AppError | null> {
    return assertPublicTarget(new URL(url), allowed, "webhook URL").then(
      () => null,
      (error: unknown) => error as AppError,
    );
  }

  test.each(["http://127.0.0.1:8080/hook", "http://[::1]/hook", "http://169.254.169.254/latest/meta-data/", "http://localhost/hook", "http://10.0.0.5/", "http://localhost./hook", "http://[64:ff9b::a9fe:a9fe]/"])("%s is rejected", async (url) => {
    const error = await rejection(url);
    expect(error).toBeInstanceOf(AppError);
    expect(error?.code).toBe("FORBIDDEN");
    expect(error?.message).toMatch(/resolves to .*, a private, loopback or link-local address/);
    expect(error?.message).toContain("PRIVATE_TARGETS_ALLOWED");
  });

  test("an allowed host or address passes", async () => {
    expect(await rejection("http://127.0.0.1:8080/hook", ["127.0.0.1"])).toBeNull();
    expect(await rejection("http://localhost/hook", ["localhost"])).toBeNull();
    expect(await rejection("http://[::1]/hook", ["::1"])).toBeNull();
  });

  // Without resolving, no DNS query is sent: a name is left to the check made when the URL is called.
  test("a host name passes when not resolving", async () => {
    const unresolved = await assertPublicTarget(new URL("https://hooks.invalid/hook"), [], "webhook URL", { resolve: false }).then(() => null, (error: unknown) => error as AppError);
    expect(unresolved).toBeNull();
  });

  test("a public address passes", async () => {
    expect(await rejection("https://93.184.215.14/hook")).toBeNull();
  });
});
