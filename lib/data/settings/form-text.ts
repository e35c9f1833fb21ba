/**
 * Characters no name or setting contains: control characters other than tab, line feed
 * and carriage return, and the bidirectional overrides and isolates that make text display
 * in another order than it is stored. Postgres cannot store NUL at all.
 */
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

/** Returns the message for a form value with a control character in it, or null when it has none. */
export function controlCharacterProblem(label: string, value: string): string | null {
  const match = controlCharacter.exec(value);
  if (match === null) return null;
  const code = `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  return `${label} contains the control character ${code} at position ${match.index + 1}, which a setting cannot contain. Remove it and type the value again.`;
}

/** Returns whether a value has a control character other than tab, line feed and carriage return. */
export function hasControlCharacter(value: string): boolean {
  return controlCharacter.test(value);
}
