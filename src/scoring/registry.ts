import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { NotFoundError } from "../shared";
import { loadModel, verifyArtifact, MANIFEST_FILE, ModelLoadError, type Manifest, type ScoringModel } from "./artifact";

/**
 * The file-based model registry: one verified artifact per `models/<id>/` and the champion pointer in
 * `models/champion.json`. Promotion writes the pointer atomically (temp file + rename) and swaps the loaded
 * champion by reference, so requests in flight finish on the model they started with.
 */

/** One registered model. */
export interface RegistryEntry {
  id: string;
  name: string;
  kind: string;
  created: string;
  champion: boolean;
  metrics: Record<string, unknown>;
}

/** Content of champion.json. */
export interface ChampionPointer {
  id: string;
  promotedAt: string;
}

export class ModelRegistry {
  readonly dir: string;
  private readonly cache = new Map<string, ScoringModel>();
  private current: ScoringModel | null = null;

  /** @param dir registry directory (default `models`, relative to the working directory). */
  constructor(dir = "models") {
    this.dir = resolve(dir);
  }

  /** Registered models (directories with a manifest), newest first. Unreadable manifests are skipped. */
  list(): RegistryEntry[] {
    if (!existsSync(this.dir)) return [];
    const champ = this.championId();
    const out: RegistryEntry[] = [];
    for (const d of readdirSync(this.dir, { withFileTypes: true })) {
      if (!d.isDirectory() || d.name.includes(".tmp")) continue;
      const mp = join(this.dir, d.name, MANIFEST_FILE);
      if (!existsSync(mp)) continue;
      try {
        const m = JSON.parse(readFileSync(mp, "utf8")) as Manifest;
        out.push({ id: m.id, name: m.name, kind: m.kind, created: m.created, champion: m.id === champ, metrics: m.metrics });
      } catch {
        // A corrupted manifest is reported when the model is loaded.
      }
    }
    return out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }

  /**
   * The verified model `id` (cached after the first load).
   * @throws NotFoundError when not registered; ModelLoadError when corrupted.
   */
  get(id: string): ScoringModel {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const dir = this.pathOf(id);
    if (!existsSync(join(dir, MANIFEST_FILE))) throw new NotFoundError("model", id);
    const m = loadModel(dir);
    if (m.id !== id) throw new ModelLoadError(join(dir, MANIFEST_FILE), `manifest id '${m.id}' does not match its directory '${id}'`);
    this.cache.set(id, m);
    return m;
  }

  /** Id of the champion, or null when none was promoted. */
  championId(): string | null {
    const p = join(this.dir, "champion.json");
    if (!existsSync(p)) return null;
    try {
      const c = JSON.parse(readFileSync(p, "utf8")) as ChampionPointer;
      return typeof c.id === "string" ? c.id : null;
    } catch {
      return null;
    }
  }

  /** The champion model (loaded once, then kept until a promotion), or null. */
  champion(): ScoringModel | null {
    const id = this.championId();
    if (id === null) return null;
    if (this.current?.id === id) return this.current;
    this.current = this.get(id);
    return this.current;
  }

  /**
   * Makes `id` the champion: verifies it loads, writes `champion.json.tmp`, renames it over
   * `champion.json`, then swaps the in-memory champion.
   * @param at promotion instant (default: now).
   * @throws NotFoundError / ModelLoadError when the model cannot be loaded.
   */
  promote(id: string, at: Date = new Date()): ScoringModel {
    const m = this.get(id);
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, "champion.json.tmp");
    writeFileSync(tmp, JSON.stringify({ id, promotedAt: at.toISOString() } satisfies ChampionPointer, null, 2));
    renameSync(tmp, join(this.dir, "champion.json"));
    this.current = m;
    return m;
  }

  /**
   * Copies a verified artifact directory into the registry as `<dir>/<id>/` and returns its id
   * (an already registered id is verified and kept).
   * @throws ModelLoadError when the source artifact is corrupted.
   */
  register(source: string): string {
    const manifest = verifyArtifact(source);
    const dest = this.pathOf(manifest.id);
    if (resolve(source) === dest) return manifest.id;
    if (existsSync(join(dest, MANIFEST_FILE))) {
      verifyArtifact(dest);
      return manifest.id;
    }
    const tmp = `${dest}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    cpSync(resolve(source), tmp, { recursive: true });
    verifyArtifact(tmp);
    renameSync(tmp, dest);
    return manifest.id;
  }

  /** Alias of {@link register}. */
  importArtifact(source: string): string {
    return this.register(source);
  }

  /** Directory of model `id`. @throws ModelLoadError for ids that are not plain names. */
  pathOf(id: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) throw new ModelLoadError(id, "invalid model id");
    return join(this.dir, id);
  }
}
