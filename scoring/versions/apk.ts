// Follows apk-tools 3 src/version.c (apk_version_validate, apk_version_compare and apk_version_match with fuzzy operators).
import { InvalidVersionError } from "./invalid-version-error";
import type { VersionOrdering } from "./version-ordering";

/**
 * Token kinds in the order apk allows them: digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}.
 * When two versions are equal up to tokens of different kinds, the version whose token kind comes
 * first here is greater, so 1.0.1 > 1.0a > 1.0_p1 > 1.0-r1 > 1.0. A pre-release suffix is the
 * exception: 1.0_rc1 < 1.0.
 */
enum TokenKind {
  InitialDigit,
  Digit,
  Letter,
  Suffix,
  SuffixNumber,
  CommitHash,
  Revision,
  End,
  Invalid,
}

/** Suffix ranks: the pre-release suffixes sort below a plain release (rank 0), the others above it. */
const suffixRanks: ReadonlyMap<string, number> = new Map([
  ["alpha", -4],
  ["beta", -3],
  ["pre", -2],
  ["rc", -1],
  ["cvs", 1],
  ["svn", 2],
  ["git", 3],
  ["hg", 4],
  ["p", 5],
]);

interface Token {
  kind: TokenKind;
  /** The token's characters without its separator (`.`, `_`, `~` or `-r`). */
  text: string;
  /** Rank of a Suffix token from suffixRanks, 0 otherwise. */
  suffixRank: number;
}

function isDigit(character: string | undefined): boolean {
  return character !== undefined && character >= "0" && character <= "9";
}

function isLowerLetter(character: string | undefined): boolean {
  return character !== undefined && character >= "a" && character <= "z";
}

function isHexDigit(character: string | undefined): boolean {
  return isDigit(character) || (character !== undefined && character >= "a" && character <= "f");
}

const invalidToken: Token = { kind: TokenKind.Invalid, text: "", suffixRank: 0 };

/** Reads an apk version one token at a time. After an End or Invalid token, it returns that token again. */
class ApkTokenizer {
  private position = 0;
  private previous: Token | undefined;

  constructor(private readonly version: string) {}

  next(): Token {
    const previous = this.previous;
    let token: Token;
    if (previous === undefined) token = this.digitsToken(TokenKind.InitialDigit);
    else if (previous.kind === TokenKind.End || previous.kind === TokenKind.Invalid) token = previous;
    else token = this.tokenAfter(previous.kind);
    this.previous = token;
    return token;
  }

  private tokenAfter(previousKind: TokenKind): Token {
    const character = this.version[this.position];
    if (character === undefined) return { kind: TokenKind.End, text: "", suffixRank: 0 };

    if (isLowerLetter(character)) {
      if (previousKind > TokenKind.Digit) return invalidToken;
      this.position++;
      return { kind: TokenKind.Letter, text: character, suffixRank: 0 };
    }

    if (character === "." || isDigit(character)) {
      if (character === ".") {
        if (previousKind > TokenKind.Digit) return invalidToken;
        this.position++;
      }
      if (previousKind === TokenKind.InitialDigit || previousKind === TokenKind.Digit) return this.digitsToken(TokenKind.Digit);
      if (previousKind === TokenKind.Suffix) return this.digitsToken(TokenKind.SuffixNumber);
      return invalidToken;
    }

    if (character === "_") {
      if (previousKind > TokenKind.SuffixNumber) return invalidToken;
      this.position++;
      const text = this.readWhile(isLowerLetter);
      const suffixRank = suffixRanks.get(text);
      if (suffixRank === undefined) return invalidToken;
      return { kind: TokenKind.Suffix, text, suffixRank };
    }

    if (character === "~") {
      if (previousKind >= TokenKind.CommitHash) return invalidToken;
      this.position++;
      const text = this.readWhile(isHexDigit);
      if (text === "") return invalidToken;
      return { kind: TokenKind.CommitHash, text, suffixRank: 0 };
    }

    if (character === "-") {
      if (previousKind >= TokenKind.Revision || this.version[this.position + 1] !== "r") return invalidToken;
      this.position += 2;
      return this.digitsToken(TokenKind.Revision);
    }

    return invalidToken;
  }

  private digitsToken(kind: TokenKind): Token {
    const text = this.readWhile(isDigit);
    if (text === "") return invalidToken;
    return { kind, text, suffixRank: 0 };
  }

  private readWhile(accepts: (character: string | undefined) => boolean): string {
    const start = this.position;
    while (this.position < this.version.length && accepts(this.version[this.position])) this.position++;
    return this.version.slice(start, this.position);
  }
}

/** Compares ASCII strings byte by byte with a proper prefix first, like apk's apk_blob_sort(). */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Compares two digit strings as integers of any size. apk-tools reads them into a uint64, so it differs only beyond 2^64 - 1. */
function compareNumbers(a: string, b: string): number {
  const left = a.replace(/^0+/, "");
  const right = b.replace(/^0+/, "");
  if (left.length !== right.length) return left.length < right.length ? -1 : 1;
  return compareStrings(left, right);
}

/** Compares two tokens of the same kind. */
function compareTokens(a: Token, b: Token): number {
  switch (a.kind) {
    case TokenKind.Digit:
      // A component with a leading zero compares as a string, so 1.01 < 1.1 and 1.0 < 1.00.
      if (a.text.startsWith("0") || b.text.startsWith("0")) return compareStrings(a.text, b.text);
      return compareNumbers(a.text, b.text);
    case TokenKind.InitialDigit:
    case TokenKind.SuffixNumber:
    case TokenKind.Revision:
      return compareNumbers(a.text, b.text);
    case TokenKind.Suffix:
      return Math.sign(a.suffixRank - b.suffixRank);
    default:
      return compareStrings(a.text, b.text);
  }
}

function isPreReleaseSuffix(token: Token): boolean {
  return token.kind === TokenKind.Suffix && token.suffixRank < 0;
}

/**
 * Compares two apk version strings with apk-tools 3's algorithm, which also orders strings it
 * rejects as invalid. Tokens are compared until they differ or one string turns invalid, so an
 * invalid tail after the first difference does not matter. With `fuzzy`, `a` equals `b` when `b`
 * is a prefix of it at a token boundary (the `~` dependency operator), so 3.6.9 equals 3.6.
 */
export function compareApkVersions(a: string, b: string, fuzzy = false): number {
  const left = new ApkTokenizer(a);
  const right = new ApkTokenizer(b);
  let tokenA = left.next();
  let tokenB = right.next();

  while (tokenA.kind === tokenB.kind && tokenA.kind < TokenKind.End) {
    const result = compareTokens(tokenA, tokenB);
    if (result !== 0) return result;
    tokenA = left.next();
    tokenB = right.next();
  }

  if (tokenA.kind === tokenB.kind) return 0;
  if (fuzzy && tokenB.kind === TokenKind.End) return 0;

  // The versions are equal up to tokens of different kinds. TokenKind's order decides, except for pre-release suffixes.
  if (isPreReleaseSuffix(tokenA)) return -1;
  if (isPreReleaseSuffix(tokenB)) return 1;
  return tokenA.kind > tokenB.kind ? -1 : 1;
}

/** Returns whether apk-tools accepts the string as a package version (`apk version --check`). */
export function isValidApkVersion(version: string): boolean {
  const tokenizer = new ApkTokenizer(version);
  let token = tokenizer.next();
  while (token.kind < TokenKind.End) token = tokenizer.next();
  return token.kind === TokenKind.End;
}

/** An apk dependency operator: a comparison, a fuzzy (prefix) match, or a comparison that also accepts a fuzzy match. */
export type ApkOperator = "<" | "<=" | "=" | ">=" | ">" | "~" | "<~" | ">~";

/**
 * Evaluates `version operator constraint` as apk-tools' apk_version_match() does for a dependency
 * such as `musl>~1.2`. `~` is true when the constraint is a prefix of the version at a token
 * boundary, and `<~` and `>~` are `<=` and `>=` with that prefix match as equality. Like apk, it
 * does not validate either string: 3.6.9_post1 fuzzy-matches 3.6 although `_post` is no apk suffix,
 * because the comparison stops before reaching it.
 */
export function matchesApkConstraint(version: string, operator: ApkOperator, constraint: string): boolean {
  const fuzzy = operator.includes("~");
  const result = compareApkVersions(version, constraint, fuzzy);
  switch (operator) {
    case "<":
      return result < 0;
    case "<=":
    case "<~":
      return result <= 0;
    case "=":
    case "~":
      return result === 0;
    case ">=":
    case ">~":
      return result >= 0;
    case ">":
      return result > 0;
  }
}

function checkOrThrow(version: string): void {
  if (!isValidApkVersion(version)) {
    throw new InvalidVersionError(
      "apk",
      version,
      "it does not follow apk's format digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}, where the suffixes are alpha, beta, pre, rc, cvs, svn, git, hg and p",
    );
  }
}

/**
 * Alpine, Wolfi and Chainguard package versions. compare() rejects the strings that apk-tools 3
 * reports as invalid. compareApkVersions() orders them the way `apk version -t` does.
 */
export const apkOrdering: VersionOrdering = {
  scheme: "apk",

  isValid: isValidApkVersion,

  compare(a, b) {
    checkOrThrow(a);
    checkOrThrow(b);
    return compareApkVersions(a, b);
  },
};
