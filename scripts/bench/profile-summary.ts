// Summarizes the .cpuprofile files written by `node --cpu-prof` under DIR/<process>/: self time by source module
// (the dist bundles carry esbuild's `// path/to/module.ts` markers, which map a bundle line back to its module)
// and the hottest functions. Run alone: npx tsx scripts/bench/profile-summary.ts DIR
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const TOP = 12;
const bundleModules = new Map<string, Array<{ line: number; module: string }>>();

/** Module markers of a bundle: [{line, module}] sorted by line (0-based, as in profiles). */
function markers(path: string): Array<{ line: number; module: string }> {
  let list = bundleModules.get(path);
  if (!list) {
    list = [];
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n');
      lines.forEach((text, line) => {
        const m = /^\/\/ ((?:node_modules|apps|packages)\/\S+)$/.exec(text);
        if (m) list!.push({ line, module: m[1]! });
      });
    }
    bundleModules.set(path, list);
  }
  return list;
}

/** A short name for where a function lives: a package, an app/package source file, or a node internal. */
function area(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  let path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (/\/dist\/[^/]+\.mjs$/.test(path)) {
    const list = markers(path);
    let found = '';
    for (const m of list) {
      if (m.line > frame.lineNumber) break;
      found = m.module;
    }
    if (!found) return path.split('/').pop()!;
    path = found;
  }
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg && !path.includes('/@sogoms/')) return pkg[1]!;
  const own = /((?:apps|packages|scripts)\/.+)$/.exec(path);
  return own ? own[1]! : path;
}

function summarize(file: string): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += us;
    const where = area(frame);
    byArea.set(where, (byArea.get(where) ?? 0) + us);
    const fn = `${frame.functionName || '(anonymous)'} [${where}]`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const top = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([k, us]) => `    ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `  busy ${(busy / 1e6).toFixed(1)} s\n  by module:\n${top(byArea)}\n  by function:\n${top(byFunction)}`;
}

/** One section per process folder, for its largest profile (a restarted process leaves several). */
export function summarizeProfiles(dir: string): string {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const sub = join(dir, name);
    if (!statSync(sub).isDirectory()) continue;
    const files = readdirSync(sub)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(sub, f))
      .sort((a, b) => statSync(b).size - statSync(a).size);
    if (files[0]) out.push(`${name} (${files[0]}):\n${summarize(files[0])}`);
  }
  return out.join('\n\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(summarizeProfiles(process.argv[2] ?? '.'));
}
