import { readdirSync, readFileSync } from "node:fs";
import { Template } from "adaptivecards-templating";
import { describe, expect, it } from "vitest";
import { compileTemplate } from "../../src/cards/template.js";
import { projectPath } from "../../src/paths.js";

/** The compiled templates (src/cards/template.ts) against adaptivecards-templating itself. */
const library = (payload: unknown, root: unknown) => new Template(payload).expand({ $root: root });
const compiled = (payload: unknown, root: unknown) => compileTemplate(payload, false).expand(root);

const PAYLOAD = {
  type: "AdaptiveCard",
  body: [
    { type: "TextBlock", text: "${title}", $when: "${show.title}" },
    { type: "TextBlock", text: "${title}", $when: "${show.missing}" },
    { type: "TextBlock", text: "no binding" },
    { type: "FactSet", facts: [{ $data: "${facts}", title: "${label}", value: "${Value}" }] },
    { type: "Input.ChoiceSet", choices: { $data: "${empty}", title: "${t}" }, id: "x" },
    { type: "TextBlock", text: "${$root.title} #${$index}", $data: "${rows}" },
    { type: "Container", $data: "${one}", items: [{ type: "TextBlock", text: "${name}", wrap: "${wrap}" }] },
  ],
  actions: [{ type: "Action.Submit", title: "${title}", data: "${envelope}" }],
};
const ROOT = {
  title: "T",
  show: { title: true, missing: "yes" },
  facts: [
    { label: "a", value: 1 },
    { label: "b", value: "two" },
  ],
  empty: [],
  rows: [{}, {}],
  one: { name: "inner", wrap: false },
  envelope: { a: "usecase.assign", v: 1 },
};

describe("compiled card templates", () => {
  it("expand as the library does: $when only on true, $data repeats and scopes, names ignore case, a dropped object is null under a key", () => {
    const mine = compiled(PAYLOAD, ROOT);
    expect(mine).toEqual(library(PAYLOAD, ROOT));
    expect((mine as { body: unknown[] }).body).toHaveLength(7);
  });

  it("leaves a path bound to nothing as the library does (its ${…} stays, for render.ts to refuse)", () => {
    const payload = { type: "TextBlock", text: "${nothing.here}" };
    expect(compiled(payload, {})).toEqual(library(payload, {}));
    expect(compiled(payload, {})).toEqual({ type: "TextBlock", text: "${nothing.here}" });
  });

  it("expands every template in cards/ as the library does, for data with every path bound", () => {
    for (const file of readdirSync(projectPath("cards"))) {
      const payload = JSON.parse(readFileSync(projectPath("cards", file), "utf8")) as unknown;
      // Each binding's path answered with its own name: strings everywhere, so every object is kept or dropped by its $when alone.
      const source = JSON.stringify(payload);
      const root: Record<string, unknown> = {};
      for (const [, path] of source.matchAll(/\$\{([^}]*)\}/g)) {
        let at = root;
        const parts = path!.replace(/^\$root\./, "").split(".");
        parts.forEach((part, i) => {
          if (i === parts.length - 1) at[part] ??= part.startsWith("show") || parts[0] === "show" ? true : path;
          else at = (at[part] ??= {}) as Record<string, unknown>;
        });
      }
      expect(compiled(payload, root), file).toEqual(library(payload, root));
    }
  });
});
