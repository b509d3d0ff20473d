export {
  CorruptTokenFileError,
  FileTokenStore,
  type FileTokenStoreOptions,
} from './file/file-store.ts';
export { defaultTokenFilePath } from './file/paths.ts';
