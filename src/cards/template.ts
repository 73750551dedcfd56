import { isDeepStrictEqual } from "node:util";
import { Template } from "adaptivecards-templating";

/**
 * Adaptive Card templates compiled once into functions of their data: what
 * adaptivecards-templating's `expand` does for the templates in cards/, without parsing and
 * evaluating an adaptive expression per binding per message (most of a card's render time
 * under load, bench:delivery). Only the subset cards/ uses is compiled: bindings that are
 * data paths (`${a.b}`, `${$root.x}`, `${$index}`), `$data` and `$when`. A template with
 * anything else, or data the compiled form would not expand the same way (a path bound to
 * nothing, whose `${…}` the library leaves in place), is expanded by the library itself.
 * The semantics copied are the library's (template-engine.js, SimpleObjectMemory):
 * - a string that is one binding takes the value's type; text around bindings makes a string;
 * - paths are looked up in the current `$data` (the root at first), property names ignoring case;
 * - `$data` bound to an array repeats the object per item (flattened into the array around
 *   it), to another value scopes it; `$when` keeps the object only if it is exactly `true`;
 * - an object dropped that way is left out of an array and is `null` under a key.
 */

interface Scope {
  root: unknown;
  data: unknown;
  index: number | undefined;
}

type Compiled = (scope: Scope) => unknown;

/** Thrown where the library's answer would differ from the compiled one: expand with the library. */
class NotCompiled extends Error {}

const PATH = /^\$?[A-Za-z_][A-Za-z0-9_]*(?:\.\$?[A-Za-z_][A-Za-z0-9_]*)*$/;
const BINDING = /\$\{([^}]*)\}/g;

/** The library's property access: the first key equal ignoring case. */
function property(instance: unknown, name: string): unknown {
  if (!instance) return undefined;
  if (typeof instance !== "object" || instance instanceof Map) throw new NotCompiled("not a plain object");
  const lower = name.toLowerCase();
  const key = Object.keys(instance).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : (instance as Record<string, unknown>)[key];
}

function compilePath(path: string): Compiled {
  const parts = path.split(".");
  const [head, ...rest] = parts as [string, ...string[]];
  const start: (s: Scope) => unknown = !head.startsWith("$")
    ? (s) => property(s.data, head)
    : head.toLowerCase() === "$root"
      ? (s) => s.root
      : head.toLowerCase() === "$data"
        ? (s) => s.data
        : head.toLowerCase() === "$index"
          ? (s) => s.index
          : () => {
              throw new NotCompiled(`unsupported ${head}`);
            };
  return (s) => {
    let value = start(s);
    for (const part of rest) value = property(value, part);
    return value;
  };
}

/** A value binding: the library substitutes `${path}` for nothing; that case goes to the library. */
function valueOf(path: string): Compiled {
  const get = compilePath(path);
  return (s) => {
    const value = get(s);
    if (value === undefined || value === null) throw new NotCompiled(`nothing at ${path}`);
    return value;
  };
}

function compileString(text: string): Compiled | string {
  if (!text.includes("${")) return text;
  // The library reads the string as an expression template: escapes and backticks mean more than paths.
  if (text.includes("\\") || text.includes("`")) throw new NotCompiled("escapes in a template string");
  const pieces: (string | Compiled)[] = [];
  let last = 0;
  for (const match of text.matchAll(BINDING)) {
    const path = match[1]!.trim();
    if (!PATH.test(path)) throw new NotCompiled(`expression ${match[1]}`);
    if (match.index > last) pieces.push(text.slice(last, match.index));
    pieces.push(valueOf(path));
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  if (text.slice(last).includes("${")) throw new NotCompiled("an unclosed binding");
  if (pieces.length === 1 && typeof pieces[0] !== "string") return pieces[0]!;
  return (s) => {
    let out = "";
    for (const piece of pieces) out += typeof piece === "string" ? piece : String(piece(s));
    return out;
  };
}

const RESERVED = new Set(["$data", "$when", "$root", "$index", "$host", "$_acTemplateVersion"]);

/** Compiles a node; an object compiles to a function returning null (dropped), one object, or an array of them. */
function compileNode(node: unknown): Compiled | unknown {
  if (typeof node === "string") return compileString(node);
  if (Array.isArray(node)) {
    const items = node.map(compileNode);
    return (s: Scope) => {
      const out: unknown[] = [];
      for (const item of items) {
        const value = typeof item === "function" ? (item as Compiled)(s) : item;
        if (value === null) continue;
        if (Array.isArray(value)) out.push(...value);
        else out.push(value);
      }
      return out;
    };
  }
  if (!node || typeof node !== "object") return node;
  const object = node as Record<string, unknown>;
  const when = object.$when;
  const data = object.$data;
  let whenOf: Compiled | undefined;
  if (when !== undefined) {
    if (typeof when !== "string" || !/^\$\{[^}]*\}$/.test(when.trim()) || !PATH.test(when.trim().slice(2, -1).trim())) throw new NotCompiled("$when is not one path");
    whenOf = compilePath(when.trim().slice(2, -1).trim());
  }
  let dataOf: Compiled | undefined;
  if (data !== undefined) {
    const compiled = compileNode(data);
    dataOf = typeof compiled === "function" ? (compiled as Compiled) : () => compiled;
  }
  const fields = Object.entries(object)
    .filter(([key]) => !RESERVED.has(key))
    .map(([key, value]) => [key, compileNode(value)] as const);
  const expandOne = (s: Scope): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of fields) {
      const expanded = typeof value === "function" ? (value as Compiled)(s) : value;
      if (expanded !== undefined) out[key] = expanded;
    }
    return out;
  };
  const kept = (s: Scope) => !whenOf || whenOf(s) === true;
  return (s: Scope) => {
    const result: Record<string, unknown>[] = [];
    if (dataOf) {
      const context = dataOf(s);
      const contexts = Array.isArray(context) ? context : [context];
      contexts.forEach((item, i) => {
        const inner: Scope = { root: s.root, data: item === undefined ? s.data : item, index: Array.isArray(context) ? i : s.index };
        if (kept(inner)) result.push(expandOne(inner));
      });
    } else if (kept(s)) result.push(expandOne(s));
    return result.length === 0 ? null : result.length === 1 ? result[0] : result;
  };
}

export interface CardTemplate {
  expand(root: unknown): unknown;
}

/**
 * The template compiled, or the library's Template where it cannot be; either way `expand`
 * answers as the library would. `check` (CARD_TEMPLATE_CHECK=1 in the tests that render
 * cards) expands both ways and throws where they differ.
 */
export function compileTemplate(payload: unknown, check = process.env.CARD_TEMPLATE_CHECK === "1"): CardTemplate {
  const library = new Template(payload);
  const viaLibrary = (root: unknown) => library.expand({ $root: root });
  if (check) {
    const fast = compileTemplate(payload, false);
    return {
      expand(root) {
        const mine = fast.expand(root);
        const theirs = viaLibrary(root);
        if (!isDeepStrictEqual(JSON.parse(JSON.stringify(mine)), JSON.parse(JSON.stringify(theirs)))) {
          throw new Error(`compiled template differs from adaptivecards-templating:\n${JSON.stringify(mine)}\n${JSON.stringify(theirs)}`);
        }
        return mine;
      },
    };
  }
  let compiled: unknown;
  try {
    compiled = compileNode(payload);
  } catch (error) {
    if (error instanceof NotCompiled) return { expand: viaLibrary };
    throw error;
  }
  return {
    expand(root) {
      try {
        return typeof compiled === "function" ? (compiled as Compiled)({ root, data: root, index: undefined }) : compiled;
      } catch (error) {
        if (error instanceof NotCompiled) return viaLibrary(root);
        throw error;
      }
    },
  };
}
