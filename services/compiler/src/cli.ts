// tessera-compile: compile a source directory (or archive) for local development and CI.
//
//   tessera-compile <source dir | .zip | .tar | .tar.gz> [--out DIR] [--report FILE] [--no-minify]
//                   [--package --kek FILE --kek-id ID --signing-key FILE --signing-key-id ID]
//
// --out writes the plaintext package files per artifact plus source maps (developer output,
// never shipped). --package also writes <artifact>.tpkg encrypted containers. Exit 0 ok,
// 2 compile/user error, 1 usage error.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_UNPACK_LIMITS, UnpackError } from './archive/limits.ts';
import { unpackArchive } from './archive/unpack.ts';
import { CompileError } from './errors.ts';
import { packageArtifacts } from './package-artifacts.ts';
import { CompileFailure, compileProject } from './project/compile-project.ts';
import { readSourceDir } from './project/read-dir.ts';

const USAGE =
  'usage: tessera-compile <source dir|archive> [--out DIR] [--report FILE] [--no-minify] [--package --kek FILE --kek-id ID --signing-key FILE --signing-key-id ID]';

export async function cli(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        report: { type: 'string' },
        'no-minify': { type: 'boolean' },
        package: { type: 'boolean' },
        kek: { type: 'string' },
        'kek-id': { type: 'string' },
        'signing-key': { type: 'string' },
        'signing-key-id': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  }
  try {
    args = parse();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 1;
  }
  const input = args.positionals[0];
  if (args.values.help || !input) {
    process.stderr.write(`${USAGE}\n`);
    return args.values.help ? 0 : 1;
  }
  try {
    const tree = (await stat(input)).isDirectory()
      ? await readSourceDir(input)
      : unpackArchive(new Uint8Array(await readFile(input)), DEFAULT_UNPACK_LIMITS);
    const result = await compileProject(tree, { minify: !args.values['no-minify'] });
    const out = args.values.out;
    if (out) {
      for (const artifact of result.artifacts) {
        for (const [path, bytes] of artifact.files) {
          const target = join(out, artifact.name, path);
          await mkdir(dirname(target), { recursive: true });
          await writeFile(target, bytes);
        }
      }
      for (const [path, map] of result.sourceMaps) {
        const target = join(out, 'sourcemaps', `${path}.map`);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, map);
      }
    }
    if (args.values.package) {
      const need = ['kek', 'kek-id', 'signing-key', 'signing-key-id'] as const;
      const missing = need.filter((k) => !args.values[k]);
      if (missing.length || !out) {
        process.stderr.write(`--package needs --out and ${need.map((k) => `--${k}`).join(', ')}\n`);
        return 1;
      }
      const packaged = await packageArtifacts(result, {
        kek: (await readFile(args.values.kek ?? '', 'utf8')).trim(),
        kekId: args.values['kek-id'] ?? '',
        signingKey: (await readFile(args.values['signing-key'] ?? '', 'utf8')).trim(),
        signingKeyId: args.values['signing-key-id'] ?? '',
      });
      for (const p of packaged) await writeFile(join(out, `${p.name}.tpkg`), p.written.bytes);
    }
    const report = `${JSON.stringify(result.report, null, 2)}\n`;
    if (args.values.report) await writeFile(args.values.report, report);
    else process.stdout.write(report);
    for (const w of result.report.warnings)
      process.stderr.write(`warning: ${w.file}:${w.line}:${w.column}: ${w.message}\n`);
    return 0;
  } catch (e) {
    if (e instanceof CompileFailure) {
      for (const err of e.errors) process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    if (e instanceof CompileError || e instanceof UnpackError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (import.meta.main) {
  process.exitCode = await cli(process.argv.slice(2));
}
