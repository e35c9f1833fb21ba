import { AppError } from "@/lib/errors";

/** Characters allowed in an HTTP token (RFC 9110, section 5.6.2). */
const TOKEN_CHARACTER = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/** Maximum length of a header value quoted in an error message, so a hostile header cannot flood the log. */
const MAX_QUOTED_HEADER = 200;

/**
 * A cursor over one HTTP header value with the lexical rules that
 * `WWW-Authenticate` and `Link` share: tokens, quoted strings with
 * backslash escapes, and optional whitespace.
 */
export class HeaderLexer {
  position = 0;

  constructor(
    readonly headerName: string,
    readonly text: string,
  ) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.position];
  }

  /** Skips spaces and tabs and returns how many it skipped. */
  skipWhitespace(): number {
    const start = this.position;
    while (this.peek() === " " || this.peek() === "\t") {
      this.position += 1;
    }
    return this.position - start;
  }

  /** Skips commas and whitespace, since HTTP lists may contain empty elements. */
  skipListSeparators(): void {
    while (this.peek() === "," || this.peek() === " " || this.peek() === "\t") {
      this.position += 1;
    }
  }

  /** Reads a token and returns it, or "" when the cursor is not at a token character. */
  readToken(): string {
    const start = this.position;
    while (!this.atEnd() && TOKEN_CHARACTER.test(this.text[this.position] ?? "")) {
      this.position += 1;
    }
    return this.text.slice(start, this.position);
  }

  /** Reads a quoted string starting at the cursor's `"` and returns it with escapes removed. */
  readQuotedString(): string {
    this.expect('"');
    let value = "";
    while (!this.atEnd()) {
      const character = this.text[this.position] ?? "";
      this.position += 1;
      if (character === '"') {
        return value;
      }
      if (character === "\\") {
        if (this.atEnd()) break;
        value += this.text[this.position];
        this.position += 1;
      } else {
        value += character;
      }
    }
    throw this.fail("a quoted string is not terminated");
  }

  /** Reads a token or a quoted string, as a parameter value may be either. */
  readValue(): string {
    if (this.peek() === '"') {
      return this.readQuotedString();
    }
    const token = this.readToken();
    if (token.length === 0) {
      throw this.fail("expected a token or a quoted string");
    }
    return token;
  }

  expect(character: string): void {
    if (this.peek() !== character) {
      throw this.fail(`expected "${character}"`);
    }
    this.position += 1;
  }

  /** Returns an AppError REGISTRY_ERROR naming the header, its value and the position of the problem. */
  fail(rule: string): AppError {
    const excerpt = this.text.length > MAX_QUOTED_HEADER ? `${this.text.slice(0, MAX_QUOTED_HEADER)}…` : this.text;
    return new AppError(
      "REGISTRY_ERROR",
      `Invalid ${this.headerName} header from the registry: ${rule} at character ${this.position + 1} of "${excerpt}".`,
      { details: { header: this.headerName } },
    );
  }
}
