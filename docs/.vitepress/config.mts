import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DefaultTheme, defineConfig } from 'vitepress';
import { PACKAGES } from '../scripts/packages.ts';

const REPO = 'https://github.com/x-llm/resilience';

/** The API sidebar TypeDoc writes (`pnpm api` runs before every dev or build). */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  const file = fileURLToPath(new URL('../api/typedoc-sidebar.json', import.meta.url));
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : [];
}

export default defineConfig({
  title: 'x-llm resilience',
  description: 'Resilient LLM provider calls for TypeScript, à la carte.',
  cleanUrls: true,
  lastUpdated: false,
  // Fragments are included into pages, never pages of their own.
  srcExclude: [
    '**/node_modules/**',
    '.blocks/**',
    '.verify/**',
    'examples/**',
    'README.md',
    'reference/fragments/**',
  ],
  // Links into the repository (READMEs, the dashboard) are absolute GitHub URLs; every relative
  // link must reach a page of the guide, or the build fails.
  ignoreDeadLinks: false,
  // Each API reference page is one chunk (VitePress compiles a page to one module); the
  // providers' pages are 600-900 kB of generated reference (provider-core's is over 2 MB in the
  // server build, which is not minified), not code that could be split.
  vite: { build: { chunkSizeWarningLimit: 4096 } },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'API', link: '/api/' },
      { text: 'Error codes', link: '/reference/errors' },
      { text: 'Benchmarks', link: '/reference/benchmarks' },
    ],
    sidebar: {
      '/api/': [{ text: 'API reference', items: apiSidebar() }],
      '/': [
        {
          text: 'Start',
          items: [
            { text: 'Getting started', link: '/guide/getting-started' },
            { text: 'Concepts', link: '/guide/concepts' },
          ],
        },
        {
          text: 'Integrations',
          items: [
            { text: 'A Fastify route', link: '/guide/integrations/fastify' },
            { text: 'Streaming to the browser', link: '/guide/integrations/route-handler' },
            { text: 'A queue worker sharing limits', link: '/guide/integrations/queue-worker' },
          ],
        },
        {
          text: 'Running it',
          items: [
            { text: 'Configuration', link: '/guide/configuration' },
            { text: 'Performance tuning', link: '/guide/performance' },
            { text: 'Monitoring', link: '/guide/monitoring' },
            { text: 'Security', link: '/guide/security' },
          ],
        },
        {
          text: 'Migrating',
          items: [
            { text: 'From ollama-js', link: '/guide/migrate/ollama-js' },
            { text: 'From a fetch client', link: '/guide/migrate/fetch' },
            { text: 'From opossum or cockatiel', link: '/guide/migrate/breakers' },
            { text: 'From bottleneck', link: '/guide/migrate/bottleneck' },
            { text: 'From lru-cache', link: '/guide/migrate/lru-cache' },
          ],
        },
        {
          text: 'Reference',
          items: [
            { text: 'Every error code', link: '/reference/errors' },
            { text: 'Benchmark report', link: '/reference/benchmarks' },
            { text: 'API (TypeDoc)', link: '/api/' },
            ...PACKAGES.map((name) => ({
              text: `@x/${name} README`,
              link: `${REPO}/tree/main/packages/${name}#readme`,
            })),
          ],
        },
      ],
    },
    socialLinks: [{ icon: 'github', link: REPO }],
    search: { provider: 'local' },
    outline: [2, 3],
  },
});
