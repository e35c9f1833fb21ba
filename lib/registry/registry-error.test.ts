import { describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { redactUrl, RegistryError } from "@/lib/registry/registry-error";

describe("redactUrl", () => {
  it.each([
    { input: "https://user:secret@registry.example.com/v2/", expected: "https://registry.example.com/v2/" },
    { input: "https://auth.example.com/token?service=reg&scope=repository:a/b:pull", expected: "https://auth.example.com/token?service=reg&scope=repository:a/b:pull" },
    { input: "https://h/v2/a/blobs/x?token=abc&n=1", expected: "https://h/v2/a/blobs/x?token=[redacted]&n=1" },
    { input: "https://h/x?access_token=abc", expected: "https://h/x?access_token=[redacted]" },
    {
      input: "https://bucket.s3.amazonaws.com/blob?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA&X-Amz-Signature=f00",
      expected: "https://bucket.s3.amazonaws.com/blob?X-Amz-Algorithm=[redacted]&X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]",
    },
    { input: "https://acct.blob.core.windows.net/c/b?sv=2020&sig=abc", expected: "https://acct.blob.core.windows.net/c/b?sv=2020&sig=[redacted]" },
    { input: "https://cdn.example.com/b?Expires=1&Signature=abc&Key-Pair-Id=K", expected: "https://cdn.example.com/b?Expires=1&Signature=[redacted]&Key-Pair-Id=[redacted]" },
    { input: "https://h/x#fragment", expected: "https://h/x" },
    { input: "not a url with password", expected: "[invalid URL]" },
  ])("redacts $input", ({ input, expected }) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe("RegistryError", () => {
  it("keeps the code, the registry status and a redacted URL", () => {
    const error = new RegistryError("NOT_FOUND", "Manifest acme/api:1 was not found.", {
      url: "https://u:p@h/v2/acme/api/manifests/1?token=t",
      registryStatus: 404,
      registryErrors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }],
    });
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe("NOT_FOUND");
    expect(error.status).toBe(404);
    expect(error.registryStatus).toBe(404);
    expect(error.registryErrors[0]?.code).toBe("MANIFEST_UNKNOWN");
    expect(error.url).toBe("https://h/v2/acme/api/manifests/1?token=[redacted]");
    expect(error.details.url).toBe(error.url);
  });
});
