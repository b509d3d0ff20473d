import { packageTestConfig } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

// test/** runs Workers in workerd through miniflare: driven from Node only.
export default defineConfig(packageTestConfig({ edge: true }));
