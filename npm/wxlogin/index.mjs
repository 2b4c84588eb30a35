// ESM entry: the same implementation as the CommonJS one (one module instance for both).
import cjs from './index.cjs';

export const { MockError, binaryPath, startMock } = cjs;
export default cjs;
