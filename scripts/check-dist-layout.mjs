// The node_modules a user's project gets from `pnpm add <package>`, built from the workspace
// without a registry: each of our packages copied (package.json and dist) into
// node_modules/.pnpm/<name>@<version>/node_modules/<name>, its dependencies linked beside it, and
// only the package itself linked at the top. The workspace's own layout does not show what a user
// sees: its packages link to packages/<name>, outside any node_modules, and TypeScript then names
// their types `import("@x/breaker")` in a consumer that cannot import @x/breaker, where the
// user's compiler, reading the same files from node_modules/.pnpm, fails with TS2742.
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Writes under `dir` the node_modules of a project that depends on the package in `packageDir`
 * alone (and on @types/node, for the globals the declarations use), for the compiler only: the
 * declarations and manifests of our packages, links to the workspace's installed copy of
 * anything else (undici, OpenTelemetry), as pnpm would place them.
 * @param dir an empty folder.
 * @param packageDir the folder of a built package of the workspace.
 * @param root the workspace's root.
 */
export function pnpmLayout(dir, packageDir, root) {
  const packages = realpathSync(join(root, 'packages')) + sep;
  const store = join(dir, 'node_modules', '.pnpm');
  const placed = new Map();
  const place = (source) => {
    const done = placed.get(source);
    if (done !== undefined) return done;
    const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
    const home = join(store, `${manifest.name.replace('/', '+')}@${manifest.version}`);
    const target = join(home, 'node_modules', manifest.name);
    placed.set(source, target);
    mkdirSync(target, { recursive: true });
    cpSync(join(source, 'package.json'), join(target, 'package.json'));
    cpSync(join(source, 'dist'), join(target, 'dist'), { recursive: true });
    const needs = { ...manifest.dependencies, ...manifest.peerDependencies };
    for (const name of Object.keys(needs)) {
      const installed = join(source, 'node_modules', name);
      // An optional peer the workspace does not install is what a user without it has.
      if (!existsSync(installed)) continue;
      const real = realpathSync(installed);
      link(join(home, 'node_modules', name), real.startsWith(packages) ? place(real) : real);
    }
    return target;
  };
  const top = place(realpathSync(packageDir));
  const name = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).name;
  link(join(dir, 'node_modules', name), top);
  link(
    join(dir, 'node_modules', '@types', 'node'),
    realpathSync(join(root, 'node_modules', '@types', 'node')),
  );
}

/** A relative symlink at `path` to `target`, as pnpm writes them. */
function link(path, target) {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(relative(dirname(path), target), path, 'dir');
}
