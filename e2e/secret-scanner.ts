/**
 * Searches texts for secret values in the forms they could leak in. A value is
 * searched as it is, percent-encoded, and as base64, base64url and hex of its
 * UTF-8 bytes. A value that is itself base64 or hex is also searched decoded,
 * and a value with a known prefix such as `shp_` also without it.
 */

/** A secret the scanner looks for, named for the report. */
export interface Secret {
  name: string;
  value: string;
}

export interface Finding {
  secret: string;
  /** How the value was written where it was found, such as "hex of the value". */
  form: string;
  where: string;
}

interface SecretForm {
  secret: string;
  form: string;
  text: string;
  /** Hex is matched without regard to case. */
  caseless: boolean;
}

/** Prefixes that mark a secret's kind. The rest of the value is a secret on its own. */
const SECRET_PREFIXES = ["shp_"];

/**
 * Shorter forms are skipped because they match ordinary text by chance. Every
 * secret in play is at least 15 characters long, so only a decoded form of a
 * short value could be skipped.
 */
const MIN_FORM_LENGTH = 12;

/** Lists the forms of one secret that the scanner searches for. */
export function secretForms(secret: Secret): SecretForm[] {
  const forms: Omit<SecretForm, "secret">[] = [];
  const add = (form: string, text: string, caseless = false) => forms.push({ form, text, caseless });
  const addEncodings = (label: string, bytes: Buffer) => {
    add(`base64 of ${label}`, bytes.toString("base64").replace(/=+$/, ""));
    add(`base64url of ${label}`, bytes.toString("base64url"));
    add(`hex of ${label}`, bytes.toString("hex"), true);
  };

  add("the value", secret.value);
  add("the value, percent-encoded", encodeURIComponent(secret.value));
  addEncodings("the value", Buffer.from(secret.value, "utf8"));
  for (const prefix of SECRET_PREFIXES) {
    if (secret.value.startsWith(prefix)) add(`the value after ${prefix}`, secret.value.slice(prefix.length));
  }
  if (/^[0-9a-f]+$/i.test(secret.value) && secret.value.length % 2 === 0) {
    addEncodings("the decoded hex", Buffer.from(secret.value, "hex"));
  } else if (/^[A-Za-z0-9+/_-]+=*$/.test(secret.value)) {
    addEncodings("the decoded base64", Buffer.from(secret.value, secret.value.includes("-") || secret.value.includes("_") ? "base64url" : "base64"));
  }

  const seen = new Set<string>();
  return forms
    .filter((form) => form.text.length >= MIN_FORM_LENGTH)
    .filter((form) => {
      const key = form.caseless ? form.text.toLowerCase() : form.text;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((form) => ({ ...form, secret: secret.name, text: form.caseless ? form.text.toLowerCase() : form.text }));
}

/** Builds a scanner for the secrets, which returns one finding per secret form found in a text. */
export function createSecretScanner(secrets: Secret[]): (text: string, where: string) => Finding[] {
  const forms = secrets.flatMap(secretForms);
  return (text, where) => {
    let lowered: string | undefined;
    const findings: Finding[] = [];
    for (const form of forms) {
      const haystack = form.caseless ? (lowered ??= text.toLowerCase()) : text;
      if (haystack.includes(form.text)) findings.push({ secret: form.secret, form: form.form, where });
    }
    return findings;
  };
}

/**
 * Builds a scanner for any `length` characters in a row of a secret value, for
 * short texts that could quote part of one, such as the excerpt of a request
 * body in a JSON parser's message. Pages are not searched this way because
 * some show the first characters of a token to tell tokens apart.
 */
export function createFragmentScanner(secrets: Secret[], length = 10): (text: string, where: string) => Finding[] {
  const fragments = secrets.flatMap((secret) => {
    const windows = new Set<string>();
    for (let start = 0; start + length <= secret.value.length; start += 1) windows.add(secret.value.slice(start, start + length));
    return [...windows].map((text) => ({ secret: secret.name, text }));
  });
  return (text, where) => {
    const found = new Map<string, Finding>();
    for (const fragment of fragments) {
      if (!found.has(fragment.secret) && text.includes(fragment.text)) {
        found.set(fragment.secret, { secret: fragment.secret, form: `${length} characters of the value ("${fragment.text}")`, where });
      }
    }
    return [...found.values()];
  };
}
