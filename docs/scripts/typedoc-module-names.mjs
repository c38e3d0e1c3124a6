// A TypeDoc plugin: names each module by its import specifier (`@x/cache/redis`) instead of its
// folder (`cache/src/redis`), since one program documents every package's entry points at once
// (one TypeScript program is several times faster than one per package).
import { Converter, ReflectionKind } from 'typedoc';

export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const match = /^(?:packages\/)?([^/]+)\/src(?:\/(.+))?$/.exec(mod.name);
      if (match)
        mod.name = `@x/${match[1]}${match[2] && match[2] !== 'index' ? `/${match[2]}` : ''}`;
    }
  });
}
