import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/commands/parse.js";

const parsed = (text: string) => {
  const r = parseCommand(text);
  return r.ok ? { command: r.command, language: r.language } : { error: r.error.key };
};

describe("quiet hours commands", () => {
  it.each([
    ["quiet 19:00-08:00", { kind: "quiet", hours: { from: "19:00", to: "08:00" } }, "en"],
    ["quiet 7pm-8am", { kind: "quiet", hours: { from: "19:00", to: "08:00" } }, "en"],
    ["quiet from 22:30 to 7:00", { kind: "quiet", hours: { from: "22:30", to: "07:00" } }, "en"],
    ["quiet 19:00 - 08:00 and weekends", { kind: "quiet", hours: { from: "19:00", to: "08:00" }, weekends: true }, "en"],
    ["quiet weekends", { kind: "quiet", weekends: true }, "en"],
    ["quiet weekends off", { kind: "quiet", weekends: false }, "en"],
    ["quiet off", { kind: "quiet", off: true }, "en"],
    ["тишина 19:00-08:00", { kind: "quiet", hours: { from: "19:00", to: "08:00" } }, "ru"],
    ["тишина с 19:00 до 08:00", { kind: "quiet", hours: { from: "19:00", to: "08:00" } }, "ru"],
    ["тишина выходные", { kind: "quiet", weekends: true }, "ru"],
    ["тишина выходные выкл", { kind: "quiet", weekends: false }, "ru"],
    ["тишина выкл", { kind: "quiet", off: true }, "ru"],
  ])("%s", (text, command, language) => {
    expect(parsed(text)).toEqual({ command, language });
  });

  it.each(["quiet", "quiet 19:00", "quiet 25:00-08:00", "quiet loudly", "тишина громко", "quiet 1:00-2:00-3:00"])("refuses %s", (text) => {
    expect(parsed(text)).toEqual({ error: "commands.errors.quiet" });
  });
});
