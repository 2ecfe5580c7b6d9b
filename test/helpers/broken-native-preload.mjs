// Loaded with --import before the engine: when better-sqlite3 loads its native module, Node is
// handed the file named by LANPOST_TEST_BROKEN_NATIVE instead (a file that is no library), so the
// real engine meets a real dlopen failure (ERR_DLOPEN_FAILED) where an installed module of the
// wrong Node.js version would fail. The module folder itself is left alone.
const replacement = process.env.LANPOST_TEST_BROKEN_NATIVE;
const dlopen = process.dlopen;
process.dlopen = (module, filename, ...rest) =>
  dlopen.call(process, module, replacement && /better_sqlite3\.node$/.test(filename) ? replacement : filename, ...rest);
