/**
 * What a command is made of: a table of subcommands, each with its method, path, body builder and printer, over one
 * table of flags. The runner (runner.ts) parses, checks, resolves names, calls the API and prints; the help and the
 * shell completion are generated from the same tables.
 */
import type { ZodType } from 'zod';
import type { Api } from './admin-client.js';

/**
 * `number` and `duration` values are checked when parsed (`--port abc`: "--port: not a number"); a duration is
 * `90`, `90s`, `5m`, `2h` or `1d` and arrives in seconds. `list` is repeatable and comma-separated.
 */
export type FlagType = 'string' | 'boolean' | 'number' | 'duration' | 'list';

export interface Flag {
  type: FlagType;
  /** The value's placeholder in the help (`N`, `FILE`). */
  arg?: string;
  help: string;
  short?: string;
  /** An older name of another flag: its value goes to that flag. */
  aliasOf?: string;
  /** Accepted but not listed (e.g. a plain secret, refused with advice). */
  hidden?: boolean;
}

export type Flags = Readonly<Record<string, Flag>>;

export type FlagValue = string | boolean | number | string[];

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A resource addressed by id or by its unique name (resolve.ts). */
export interface Resource {
  noun: string;
  /** The list route and the key of its array. */
  list: string;
  key: string;
  /** What its ids look like: anything else is taken as a name. */
  idPattern: RegExp;
}

/** What a subcommand's functions see. */
export interface Ctx {
  command: string;
  sub: string;
  /** Positionals after the subcommand; the first already resolved to an id when the subcommand has a resource. */
  args: string[];
  /** The first positional (resolved), URL-encoded for a path. */
  id: string;
  env: NodeJS.ProcessEnv;
  api: Api;
  /** The address another machine is told to use: the config's public_url, else the one this command reached. */
  masterUrl(): string;
  json: boolean;
  /** The flags given (besides the global ones), by name. */
  given: readonly string[];
  has(flag: string): boolean;
  str(flag: string): string | undefined;
  num(flag: string): number | undefined;
  bool(flag: string): boolean;
  list(flag: string): string[] | undefined;
}

export interface Sub {
  name: string;
  aliases?: readonly string[];
  /** Positionals: `ID`, `PROJECT`, `[SPIDER]` (brackets: optional). */
  args?: readonly string[];
  /** The flags part of its line in the help (`[--count N]`). */
  usage?: string;
  summary: string;
  /** The command's flags this subcommand takes (the global ones always). */
  flags?: readonly string[];
  /** The first positional names one of these, by id or unique name. */
  resource?: Resource;
  /** Checks that need nothing from the master (before anything is sent). */
  check?(c: Ctx): void;
  method: Method;
  /** May ask the master (a filter given by name is resolved to its id). */
  path(c: Ctx): string | Promise<string>;
  body?(c: Ctx): unknown;
  /** Done on this host instead of calling the master (`user add` opens the store): the answer, as the API's. */
  run?(c: Ctx, body: unknown): Promise<unknown>;
  /** Human output of the answer. */
  print(answer: unknown, c: Ctx): string;
  /** What `--json` prints (default: the answer) and the protocol schema it parses with. */
  json?(answer: unknown, c: Ctx): unknown;
  output: ZodType;
}

export interface Command {
  name: string;
  summary: string;
  subs: readonly Sub[];
  flags: Flags;
  /** Paragraphs after the flags in the help. */
  notes?: string;
  /** `--url` is a field of this command (a receiver's URL): the master's URL is then `--master-url` only. */
  urlIsField?: boolean;
  /** The subcommand run when none is named (`audit` is `audit list`); else a bare command prints its help. */
  defaultSub?: string;
}
