// The current way to add a customization hook: --import a module that registers it.
import { register } from 'node:module';

register('./loader.mjs', import.meta.url);
