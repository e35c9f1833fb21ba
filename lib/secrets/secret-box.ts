import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "@/lib/errors";

/**
 * Seals secrets stored in the database (registry passwords and access tokens,
 * webhook signing secrets) with AES-256-GCM. Every stored secret goes through
 * these functions, so changing the algorithm touches only this module.
 *
 * A sealed value reads `v1:<base64 of 12-byte IV, 16-byte auth tag, ciphertext>`.
 * The version prefix lets a later algorithm coexist with values sealed before it.
 * Values carry no key id: opening tries SECRETS_KEY, then each key of
 * SECRETS_KEY_PREVIOUS, and the auth tag shows which one sealed the value.
 * `shipshape secrets rotate` then seals every value again under SECRETS_KEY.
 */

const VERSION = "v1";
/** The prefix of every sealed value, also used by database filters that find values stored unsealed. */
export const SEALED_PREFIX = `${VERSION}:`;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

const missingKeyMessage =
  "SECRETS_KEY is not set, so registry passwords and webhook secrets cannot be stored. Generate a key with `openssl rand -base64 32`, set SECRETS_KEY to it in the server's environment and restart.";

/** Decodes SECRETS_KEY; raises CONFIGURATION when it is missing or not 32 bytes. */
function decodeKey(secretsKey: string | undefined): Buffer {
  if (!secretsKey) throw new AppError("CONFIGURATION", missingKeyMessage);
  const key = Buffer.from(secretsKey, "base64");
  if (key.length !== KEY_BYTES) {
    throw new AppError("CONFIGURATION", `SECRETS_KEY decodes to ${key.length} bytes, but AES-256 needs ${KEY_BYTES}. Generate a key with \`openssl rand -base64 32\`.`);
  }
  return key;
}

/** Encrypts `plaintext` with the key from SECRETS_KEY and returns the sealed value to store. */
export function sealSecret(plaintext: string, secretsKey: string | undefined): string {
  const key = decodeKey(secretsKey);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64")}`;
}

/** Returns whether a stored value is sealed; webhook secrets stored before sealing existed are plain text. */
export function isSealedSecret(value: string): boolean {
  return value.startsWith(SEALED_PREFIX);
}

/**
 * Decrypts a value from `sealSecret` with SECRETS_KEY or, failing that, with one
 * of `previousKeys` (SECRETS_KEY_PREVIOUS). Raises CONFIGURATION when the key is
 * missing or none of the keys sealed the value, because only an operator can fix either.
 */
export function openSecret(sealed: string, secretsKey: string | undefined, previousKeys: readonly string[] = []): string {
  const keys = [decodeKey(secretsKey), ...previousKeys.map(decodeKey)];
  const [version, payload] = sealed.split(":", 2);
  if (version !== VERSION || payload === undefined) {
    throw new AppError("CONFIGURATION", `A stored secret has the unknown format "${version}"; only "${VERSION}" is supported. Store the secret again.`);
  }
  const bytes = Buffer.from(payload, "base64");
  if (bytes.length < IV_BYTES + TAG_BYTES) {
    throw new AppError("CONFIGURATION", "A stored secret is truncated. Store the secret again.");
  }
  for (const key of keys) {
    const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      // Another key may have sealed it; the error below names what to do when none did.
    }
  }
  const tried = previousKeys.length === 0 ? "SECRETS_KEY is not the key it was sealed with" : `neither SECRETS_KEY nor any of the ${previousKeys.length} keys in SECRETS_KEY_PREVIOUS sealed it`;
  throw new AppError("CONFIGURATION", `A stored secret could not be decrypted: ${tried}. Put the key that sealed it in SECRETS_KEY_PREVIOUS, or store the secret again.`);
}
