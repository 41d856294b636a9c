#!/usr/bin/env node
// The `credit` command. Sources are TypeScript run through tsx's loader, so there is no build step to forget.
import { register } from "tsx/esm/api";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

register();
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { main } = await import(pathToFileURL(join(root, "src/cli/main.ts")).href);
await main(process.argv.slice(2));
