// pnpm hooks of the workspace.
//
// beforePacking (`pnpm pack`, `pnpm publish`): the published package.json names no private
// workspace package. `@x/internal` is inlined into each package's dist by tsup (internal/tsup.ts)
// and is a devDependency only so that the workspace builds; in a tarball it would name a package
// that nobody can install. scripts/check-dist.mjs packs each package and fails if one is left.
const PRIVATE = ['@x/internal'];

module.exports = {
  hooks: {
    beforePacking(pkg) {
      for (const field of [
        'dependencies',
        'devDependencies',
        'peerDependencies',
        'optionalDependencies',
      ]) {
        const deps = pkg[field];
        if (deps === undefined) continue;
        for (const name of PRIVATE) delete deps[name];
        if (Object.keys(deps).length === 0) delete pkg[field];
      }
      return pkg;
    },
  },
};
