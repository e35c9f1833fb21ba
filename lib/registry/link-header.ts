import { HeaderLexer } from "@/lib/registry/header-lexer";

/**
 * Returns the target of the `rel="next"` link in a `Link` header (RFC 8288),
 * resolved against `base`, or null when the header is absent or has no next
 * link. Registries page `/v2/_catalog` and tag lists this way:
 * `</v2/_catalog?last=x&n=100>; rel="next"`.
 * Raises AppError REGISTRY_ERROR when the header cannot be parsed.
 */
export function parseNextLink(header: string | null, base: string | URL): URL | null {
  if (header === null || header.trim().length === 0) {
    return null;
  }

  const lexer = new HeaderLexer("Link", header);
  for (;;) {
    lexer.skipListSeparators();
    if (lexer.atEnd()) {
      return null;
    }

    const target = readTarget(lexer);
    const relations = readRelations(lexer);
    if (relations.includes("next")) {
      try {
        return new URL(target, base);
      } catch {
        throw lexer.fail(`the next link "${target}" is not a valid URL`);
      }
    }
  }
}

function readTarget(lexer: HeaderLexer): string {
  lexer.expect("<");
  const end = lexer.text.indexOf(">", lexer.position);
  if (end === -1) {
    throw lexer.fail('expected ">" after the link target');
  }
  const target = lexer.text.slice(lexer.position, end).trim();
  lexer.position = end + 1;
  return target;
}

/** Reads the `; name=value` parameters of one link and returns its lowercase relation types. */
function readRelations(lexer: HeaderLexer): string[] {
  let relations: string[] = [];
  let relSeen = false;

  for (;;) {
    lexer.skipWhitespace();
    if (lexer.atEnd() || lexer.peek() === ",") {
      return relations;
    }
    lexer.expect(";");
    lexer.skipWhitespace();

    const name = lexer.readToken().toLowerCase();
    if (name.length === 0) {
      throw lexer.fail("expected a link parameter name");
    }
    lexer.skipWhitespace();

    let value = "";
    if (lexer.peek() === "=") {
      lexer.expect("=");
      lexer.skipWhitespace();
      value = lexer.readValue();
    }

    // RFC 8288 section 3.3: only the first rel parameter counts. Its value is a
    // space-separated list of case-insensitive relation types.
    if (name === "rel" && !relSeen) {
      relSeen = true;
      relations = value.toLowerCase().split(/[ \t]+/).filter((relation) => relation.length > 0);
    }
  }
}
