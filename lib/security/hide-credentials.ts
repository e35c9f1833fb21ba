/**
 * Hides credentials in text that may quote URLs or request bodies, so error
 * messages and log lines can show what was entered without the secret in it.
 */

/**
 * A URL's scheme and userinfo. The userinfo runs to the last "@" before
 * whitespace, a quote, or the path, query or fragment, so a password with an
 * unencoded "@" is hidden whole. A password with an unencoded "/" ends the
 * match early, and its part before the "/" stays visible.
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>/?#]*)@/gi;

/**
 * Replaces the password in every `scheme://user:password@` of the text with
 * `[redacted]` and keeps the user name. Userinfo without a password, as in
 * `https://TOKEN@host`, is replaced whole. Text that does not parse as a URL,
 * such as a mistyped value quoted in an error message, is handled the same way.
 */
export function hideUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    return colon === -1 ? `${scheme}[redacted]@` : `${scheme}${userinfo.slice(0, colon)}:[redacted]@`;
  });
}

/**
 * Describes why JSON.parse failed without the excerpt of the input that V8
 * (Node 20) quotes, as in `Unexpected token 's', "shp_abcdef"... is not valid
 * JSON`, because a request body can carry a token.
 */
export function describeJsonSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, " is not valid JSON");
}
