import { defineConfig } from 'tsup';
import { packageBuild } from '../../internal/tsup';

export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/redis.ts'] }));
