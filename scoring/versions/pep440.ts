// Follows PEP 440, the Python version specification, through @renovatebot/pep440, whose ordering mirrors pypa/packaging's Version.
import { compare as comparePep440, valid as validPep440 } from "@renovatebot/pep440";
import { InvalidVersionError } from "./invalid-version-error";
import type { VersionOrdering } from "./version-ordering";

/**
 * Local-version segments that are letters and digits under PEP 440, so they must compare as
 * strings, but that JavaScript's Number() reads as numbers (1e5, 0x1f, 0b1, 0o7, infinity).
 * @renovatebot/pep440 4.2 converts local segments with Number(), so it would order these wrongly.
 */
const numberLikeLocalSegment = /^(?:[0-9]+e[0-9]+|0x[0-9a-f]+|0b[01]+|0o[0-7]+|infinity)$/i;

function exceedsSafeInteger(digits: string): boolean {
  const significant = digits.replace(/^0+/, "");
  return significant.length > 15 && BigInt(significant) > BigInt(Number.MAX_SAFE_INTEGER);
}

/**
 * Returns why the version is rejected, or null when it is a valid PEP 440 version that
 * @renovatebot/pep440 compares correctly. Surrounding whitespace is allowed, as in pypa/packaging.
 */
function findPep440Problem(version: string): string | null {
  const trimmed = version.trim();
  if (validPep440(trimmed) === null) return "it does not match the PEP 440 version scheme";

  // NOTE: these two checks reject valid PEP 440 versions that @renovatebot/pep440 4.2 would
  // misorder, because it converts every number with Number(). For vulnerability matching, an
  // error is safer than a wrong order.
  const plus = trimmed.indexOf("+");
  const publicPart = plus >= 0 ? trimmed.slice(0, plus) : trimmed;
  const localSegments = plus >= 0 ? trimmed.slice(plus + 1).split(/[-_.]/) : [];
  const numbers = [...(publicPart.match(/[0-9]+/g) ?? []), ...localSegments.filter((segment) => /^[0-9]+$/.test(segment))];
  if (numbers.some(exceedsSafeInteger)) {
    return `it contains a number above ${Number.MAX_SAFE_INTEGER}, which this implementation cannot compare exactly`;
  }
  const numberLike = localSegments.find((segment) => numberLikeLocalSegment.test(segment));
  if (numberLike !== undefined) {
    return `its local segment ${JSON.stringify(numberLike)} would be misread as a number by this implementation`;
  }
  return null;
}

function checkOrThrow(version: string): string {
  const problem = findPep440Problem(version);
  if (problem !== null) throw new InvalidVersionError("pep440", version, problem);
  return version.trim();
}

/**
 * Python package versions as pip orders them. Pre-PEP 440 "legacy" versions such as 0.9-doduo
 * are rejected, as current pypa/packaging rejects them.
 */
export const pep440Ordering: VersionOrdering = {
  scheme: "pep440",

  isValid(version) {
    return findPep440Problem(version) === null;
  },

  compare(a, b) {
    return Math.sign(comparePep440(checkOrThrow(a), checkOrThrow(b)));
  },
};
