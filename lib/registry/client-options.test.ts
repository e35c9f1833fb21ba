import { describe, expect, it } from "vitest";

import { CLIENT_DEFAULTS, resolveClientOptions } from "@/lib/registry/client-options";

describe("resolveClientOptions", () => {
  it("applies the defaults", () => {
    const options = resolveClientOptions({ url: "https://registry.example.com/" });
    expect(options.baseUrl.href).toBe("https://registry.example.com/");
    expect(options.baseUrl.pathname).toBe("/");
    expect(options.credentials).toBeNull();
    expect(options.timeoutMs).toBe(CLIENT_DEFAULTS.timeoutMs);
    expect(options.retries).toBe(3);
    expect(options.maxManifestBytes).toBe(4 * 1024 * 1024);
    expect(options.maxBlobBytes).toBe(16 * 1024 * 1024);
  });

  it.each([
    { url: "https://registry.example.com/mirror/", pathname: "/mirror" },
    { url: "https://registry.example.com/v2/", pathname: "" },
  ])("normalizes the base path of $url", ({ url, pathname }) => {
    expect(resolveClientOptions({ url }).baseUrl.pathname.replace(/^\/$/, "")).toBe(pathname);
  });

  it("allows http when insecure", () => {
    expect(resolveClientOptions({ url: "http://127.0.0.1:5000", insecure: true }).baseUrl.protocol).toBe("http:");
  });

  it.each([
    { name: "http without insecure", options: { url: "http://registry.example.com" }, error: /set REGISTRY_INSECURE=true/ },
    { name: "relative URL", options: { url: "registry.example.com" }, error: /not an absolute URL/ },
    { name: "other scheme", options: { url: "ftp://registry.example.com", insecure: true }, error: /must start with https/ },
    { name: "credentials in URL", options: { url: "https://u:secret@registry.example.com" }, error: /contains credentials/ },
    { name: "query in URL", options: { url: "https://registry.example.com/?x=1" }, error: /query or fragment/ },
    { name: "username only", options: { url: "https://r.example.com", username: "u" }, error: /must be set together/ },
    { name: "password only", options: { url: "https://r.example.com", password: "p" }, error: /must be set together/ },
    { name: "colon in username", options: { url: "https://r.example.com", username: "a:b", password: "p" }, error: /contains ":"/ },
    { name: "zero timeout", options: { url: "https://r.example.com", timeoutMs: 0 }, error: /timeoutMs is 0/ },
    { name: "negative retries", options: { url: "https://r.example.com", retries: -1 }, error: /retries is -1/ },
    { name: "fractional cap", options: { url: "https://r.example.com", maxManifestBytes: 1.5 }, error: /maxManifestBytes is 1.5/ },
    { name: "base delay above cap", options: { url: "https://r.example.com", retryBaseDelayMs: 5000, maxRetryDelayMs: 1000 }, error: /larger than maxRetryDelayMs/ },
  ])("rejects $name", ({ options, error }) => {
    expect(() => resolveClientOptions(options)).toThrow(error);
  });

  it("keeps the password out of URL errors", () => {
    expect(() => resolveClientOptions({ url: "https://u:secret@registry.example.com" })).not.toThrow(/secret/);
  });
});
