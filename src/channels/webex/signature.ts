import { createHmac, timingSafeEqual } from "node:crypto";

/** Webex's X-Spark-Signature: HMAC-SHA1 of the raw request body with the webhook secret, in hex. */
export function sparkSignature(secret: string, body: Buffer | string): string {
  return createHmac("sha1", secret).update(body).digest("hex");
}

/** Checks the header against the raw bytes Webex sent (never a re-serialised body), in constant time. */
export function hasValidSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header || !/^[0-9a-f]{40}$/i.test(header.trim())) return false;
  const expected = Buffer.from(sparkSignature(secret, rawBody), "hex");
  const given = Buffer.from(header.trim(), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
