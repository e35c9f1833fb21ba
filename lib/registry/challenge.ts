import { HeaderLexer } from "@/lib/registry/header-lexer";

/** One authentication challenge from a `WWW-Authenticate` header (RFC 9110, section 11.6.1). */
export interface AuthChallenge {
  /** Auth scheme in lowercase, e.g. `bearer` or `basic`. */
  scheme: string;
  /** Auth parameters with lowercase names, e.g. `realm`, `service`, `scope`. */
  params: Record<string, string>;
  /** The token68 form some schemes use in place of parameters, e.g. `Negotiate abc==`. */
  token68: string | null;
}

/** token68 followed by optional whitespace and then the end or a comma. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(?:,|$))/;

/**
 * Parses a `WWW-Authenticate` header value into its challenges. A value may
 * hold several challenges separated by commas (`Bearer realm="…", Basic realm="…"`),
 * which is also how fetch joins repeated headers. Quoted values may contain
 * commas and backslash-escaped quotes.
 * Raises AppError REGISTRY_ERROR naming the position of a syntax error.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const lexer = new HeaderLexer("WWW-Authenticate", header);
  const challenges: AuthChallenge[] = [];

  lexer.skipListSeparators();
  while (!lexer.atEnd()) {
    const scheme = lexer.readToken();
    if (scheme.length === 0) {
      throw lexer.fail("expected an auth scheme");
    }
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {}, token68: null };
    challenges.push(challenge);

    const spaces = lexer.skipWhitespace();
    if (lexer.atEnd() || lexer.peek() === ",") {
      lexer.skipListSeparators();
      continue;
    }
    if (spaces === 0) {
      throw lexer.fail("expected a space after the auth scheme");
    }

    const token68 = TOKEN68.exec(lexer.text.slice(lexer.position));
    if (token68 !== null) {
      challenge.token68 = token68[0];
      lexer.position += token68[0].length;
      lexer.skipWhitespace();
      lexer.skipListSeparators();
      continue;
    }

    readParams(lexer, challenge);
  }
  return challenges;
}

/** Returns the first challenge with the given scheme (case-insensitive), or null. */
export function findChallenge(challenges: AuthChallenge[], scheme: string): AuthChallenge | null {
  const lowercaseScheme = scheme.toLowerCase();
  return challenges.find((challenge) => challenge.scheme === lowercaseScheme) ?? null;
}

/** Reads `name=value` pairs until the header ends or the next challenge's scheme starts. */
function readParams(lexer: HeaderLexer, challenge: AuthChallenge): void {
  for (;;) {
    const start = lexer.position;
    const name = lexer.readToken().toLowerCase();
    if (name.length === 0) {
      throw lexer.fail("expected a parameter name");
    }
    lexer.skipWhitespace();
    if (lexer.peek() !== "=") {
      // A token without "=" is the scheme of the next challenge.
      lexer.position = start;
      return;
    }
    lexer.expect("=");
    lexer.skipWhitespace();
    const value = lexer.readValue();

    // RFC 9110 allows each parameter once per challenge; two realms would be ambiguous.
    if (Object.hasOwn(challenge.params, name)) {
      throw lexer.fail(`parameter "${name}" appears twice`);
    }
    challenge.params[name] = value;

    lexer.skipWhitespace();
    if (lexer.atEnd()) {
      return;
    }
    if (lexer.peek() !== ",") {
      throw lexer.fail('expected "," between parameters');
    }
    lexer.skipListSeparators();
    if (lexer.atEnd()) {
      return;
    }
  }
}
