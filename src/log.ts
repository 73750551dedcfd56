import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs. Tokens, secrets, signatures and connection strings are redacted
 * wherever they appear in a logged object.
 */
export function createLogger(level: string = "info", destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: "lca-bot" },
      redact: {
        paths: [
          "*.token", "*.botToken", "*.signingSecret", "*.secret", "*.authorization", "*.password",
          "*.databaseUrl", "req.headers.authorization", "req.headers['x-spark-signature']", "req.headers['x-slack-signature']",
          "config.database.url",
        ],
        censor: "[redacted]",
      },
    },
    destination ?? process.stdout,
  );
}
