/** One decoder for every parser: constructing a TextDecoder per file or field costs more than decoding a short string. */
const decoder = new TextDecoder();

/** Decodes UTF-8, replacing invalid sequences with U+FFFD as `new TextDecoder().decode` does. */
export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
