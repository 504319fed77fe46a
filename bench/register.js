// Loads the TypeScript sources for the benchmark's server processes without ts-node: ts-node
// pulls in Node's `repl`, which loads `domain`, which slows every EventEmitter — a cost the
// compiled production build does not have. Transpile only, like `ts-node --transpile-only`.
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  sourceMap: false,
};

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
