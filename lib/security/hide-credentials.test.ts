import { describe, expect, it } from "vitest";
import { describeJsonSyntaxError, hideUrlCredentials } from "@/lib/security/hide-credentials";

describe("hideUrlCredentials", () => {
  it.each([
    { input: "postgresql://shipshape:pg-secret@db.internal:5432/shipshape", expected: "postgresql://shipshape:[redacted]@db.internal:5432/shipshape" },
    { input: "smtps://mailer:smtp-secret@mail.example.com:465", expected: "smtps://mailer:[redacted]@mail.example.com:465" },
    { input: "https://ghp_tokenAsUser@mirror.example.com/osv/all.zip", expected: "https://[redacted]@mirror.example.com/osv/all.zip" },
    { input: "https://u:p@ss@word@mirror.example.com/all.zip", expected: "https://u:[redacted]@mirror.example.com/all.zip" },
    { input: "http://robot:pw@local host:5000/x", expected: "http://robot:[redacted]@local host:5000/x" },
    { input: '{"err":"connect to postgres://a:b@h failed","url":"smtp://c:d@m"}', expected: '{"err":"connect to postgres://a:[redacted]@h failed","url":"smtp://c:[redacted]@m"}' },
    { input: "https://registry.example.com/v2/?q=a@b", expected: "https://registry.example.com/v2/?q=a@b" },
    { input: "mail me at someone@example.com", expected: "mail me at someone@example.com" },
  ])("hides credentials in $input", ({ input, expected }) => {
    expect(hideUrlCredentials(input)).toBe(expected);
  });
});

describe("describeJsonSyntaxError", () => {
  function parseError(text: string): unknown {
    try {
      JSON.parse(text);
    } catch (error) {
      return error;
    }
    throw new Error(`${text} parsed`);
  }

  it("drops the quoted excerpt of the input", () => {
    const message = describeJsonSyntaxError(parseError("shp_secretTokenValue0123456789"));
    expect(message).toBe("Unexpected token 's' is not valid JSON");
  });

  it("drops an excerpt from the middle of a long input", () => {
    const message = describeJsonSyntaxError(parseError(`{"packages": [${"1,".repeat(30)} shp_secretTokenValue0123456789]}`));
    expect(message).not.toContain("secretT");
    expect(message).toContain("is not valid JSON");
  });

  it("keeps messages without an excerpt", () => {
    expect(describeJsonSyntaxError(parseError('{"a": 1'))).toBe("Expected ',' or '}' after property value in JSON at position 7");
  });
});
