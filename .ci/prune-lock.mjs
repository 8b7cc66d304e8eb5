// The package registry reachable here serves rollup's Linux binaries but not its other platform
// packages (404), so npm records rollup's optionalDependencies without lock entries for them and
// `npm ci` then refuses the lockfile as out of sync. This drops optional dependencies that have no
// entry in the lockfile; it changes nothing that gets installed on this platform. Idempotent.
import fs from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pkgs = lock.packages ?? {};
let pruned = 0;
for (const [key, entry] of Object.entries(pkgs)) {
  const optional = entry.optionalDependencies;
  if (!optional) continue;
  for (const dep of Object.keys(optional)) {
    if (!(`node_modules/${dep}` in pkgs) && !(`${key}/node_modules/${dep}` in pkgs)) {
      delete optional[dep];
      pruned++;
    }
  }
}
if (pruned > 0) {
  fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
  console.log(`prune-lock: dropped ${pruned} optional dependencies the registry does not serve`);
}
