export { COMMANDS, parseCommandLine } from './args.ts';
export { CliError, EXIT } from './errors.ts';
export { main } from './main.ts';
export { packDirectory } from './pack/pack.ts';
export { writeTar } from './pack/tar.ts';
