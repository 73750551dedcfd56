/**
 * Secrets out of what we print: URLs with their credentials masked, and the configured
 * secret values themselves wherever they turn up in a line. Pure, no I/O; the logger, the
 * start-up lines, config errors and feed errors all go through here.
 */

export const MASK = "***";

/**
 * Query keys whose values are never credentials and help whoever reads a log line. Every
 * other query value is masked: a feed URL may be signed (`X-Amz-Signature`, `sig`, `token`,
 * `key`…) and a connection string may carry `password`/`sslpassword`.
 */
const HARMLESS_QUERY_KEYS = new Set(["sslmode", "application_name", "connect_timeout", "schema", "target_session_attrs", "options", "search_path", "locale", "lang", "format"]);

const SCHEME = /^([a-z][a-z0-9+.-]*:)(\/\/)?/i;

/**
 * A URL with its secrets masked: the password of the userinfo (everything up to the last
 * `@`, so `postgres://u:p@ss@host/db` hides `p@ss`), every query value except a few harmless
 * ones (`sslmode`, `application_name`…), and the fragment. Works on strings `new URL` refuses
 * (unencoded `@`, `#` or `/` in a password), and never throws. When it cannot tell where the
 * credentials end it hides everything after the scheme: more than needed, never less.
 */
export function maskUrl(url: string): string {
  const scheme = SCHEME.exec(url);
  if (!scheme?.[2]) return url;
  const head = scheme[0];
  const rest = url.slice(head.length);
  const at = rest.lastIndexOf("@");
  const info = at >= 0 ? rest.slice(0, at) : "";
  if (at >= 0 && /[/?#]/.test(info)) return ambiguous(url, head);
  const colon = info.indexOf(":");
  const userinfo = at < 0 ? "" : colon >= 0 ? `${info.slice(0, colon)}:${MASK}@` : `${info}@`;
  return `${head}${userinfo}${maskTail(at >= 0 ? rest.slice(at + 1) : rest)}`;
}

/** The host, path, query and fragment of a URL: query values (but harmless ones) and the fragment masked. */
function maskTail(tail: string): string {
  let rest = tail;
  const hash = rest.indexOf("#");
  const fragment = hash >= 0 ? `#${MASK}` : "";
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf("?");
  if (q < 0) return `${rest}${fragment}`;
  return `${rest.slice(0, q)}?${maskQuery(rest.slice(q + 1))}${fragment}`;
}

function maskQuery(query: string): string {
  return query
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      if (eq < 0) return pair;
      const key = pair.slice(0, eq);
      return HARMLESS_QUERY_KEYS.has(safeDecode(key).toLowerCase()) ? pair : `${key}=${MASK}`;
    })
    .join("&");
}

/**
 * An "@" after a "/", "?" or "#": either a password holding those characters, or an "@" in
 * the path or query (`?email=a@b`). The WHATWG parser tells them apart when it accepts the
 * string; when it refuses it, nothing after the scheme is shown.
 */
function ambiguous(url: string, head: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${head}${MASK}`;
  }
  const userinfo = parsed.username || parsed.password ? `${parsed.username}${parsed.password ? `:${MASK}` : ""}@` : "";
  const tail = `${parsed.host}${parsed.pathname}${parsed.search}${parsed.hash}`;
  return `${head}${userinfo}${maskTail(tail)}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Any `scheme://…` in free text (up to whitespace, a quote, an angle bracket or a backslash:
 * in a JSON log line a URL ends before the escape of its closing quote, which must survive).
 */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`\\]+/gi;

/** Free text (an error message, a log line) with every URL in it masked. */
export function maskUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => maskUrl(url));
}

/** The password of a connection string, if it has one (userinfo or `?password=`), for the secrets list. */
export function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  const out: string[] = [];
  const scheme = SCHEME.exec(url);
  if (!scheme?.[2]) return out;
  const rest = url.slice(scheme[0].length);
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    const info = rest.slice(0, at);
    const colon = info.indexOf(":");
    if (colon >= 0 && colon < info.length - 1) out.push(info.slice(colon + 1), safeDecode(info.slice(colon + 1)));
  }
  const q = rest.indexOf("?");
  if (q >= 0) {
    for (const pair of rest.slice(q + 1).split(/[&#]/)) {
      const eq = pair.indexOf("=");
      if (eq < 0) continue;
      if (HARMLESS_QUERY_KEYS.has(safeDecode(pair.slice(0, eq)).toLowerCase())) continue;
      const value = pair.slice(eq + 1);
      if (value) out.push(value, safeDecode(value));
    }
  }
  return [...new Set(out)];
}

/** Secret values too short to be told from ordinary words are not searched for (they would mask half a log). */
const MIN_SECRET_LENGTH = 6;

/**
 * Replaces every occurrence of each secret (as is, and as JSON escapes it) by `[redacted]`.
 * The last line of defence behind pino's redact paths and maskUrl: a token that reaches a
 * message string some other way still never leaves the process.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    const escaped = JSON.stringify(secret).slice(1, -1);
    for (const form of escaped === secret ? [secret] : [secret, escaped]) {
      if (out.includes(form)) out = out.split(form).join("[redacted]");
    }
  }
  return out;
}
