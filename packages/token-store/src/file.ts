export {
  CorruptTokenFileError,
  FileTokenStore,
  type FileTokenStoreOptions,
} from './file/file-store.js';
export { defaultTokenFilePath } from './file/paths.js';
