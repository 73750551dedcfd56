import { pino, type Logger } from "pino";
import { maskUrlsIn, scrubSecrets } from "./redact.js";

export type { Logger };

/**
 * The values no log line may contain: tokens, signing secrets, preview tokens, database
 * passwords. main/cli register them from the configuration (`secretsOf(config)`) before
 * anything is logged; every logger created here consults the list on each line.
 */
const registered = new Set<string>();

export function registerSecrets(secrets: Iterable<string | undefined>): void {
  for (const secret of secrets) if (secret) registered.add(secret);
}

/** What one finished log line becomes before it is written: URLs masked, secrets replaced. */
export function scrubLine(line: string, extra: readonly string[] = []): string {
  return scrubSecrets(maskUrlsIn(line), [...registered, ...extra]);
}

/**
 * Structured JSON logs. Tokens, secrets, signatures and connection strings are redacted
 * wherever they appear in a logged object (pino's paths); then every finished line has its
 * URLs masked (maskUrl) and every registered secret replaced, whatever field carried it.
 */
export function createLogger(level: string = "info", destination?: NodeJS.WritableStream, options: { secrets?: readonly string[] } = {}): Logger {
  const extra = options.secrets ?? [];
  return pino(
    {
      level,
      base: { service: "lca-bot" },
      redact: {
        paths: [
          "*.token", "*.botToken", "*.appToken", "*.signingSecret", "*.webhookSecret", "*.secret", "*.authorization", "*.password",
          "*.databaseUrl", "req.headers.authorization", "req.headers['x-spark-signature']", "req.headers['x-slack-signature']", "req.headers.cookie",
          "config.database.url", "config.preview.token", "config.preview.tokens",
        ],
        censor: "[redacted]",
      },
      hooks: { streamWrite: (line) => scrubLine(line, extra) },
    },
    destination ?? process.stdout,
  );
}
