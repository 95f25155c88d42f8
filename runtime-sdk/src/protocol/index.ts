export * from './encoding.ts';
export * from './events.ts';
export * from './launch.ts';
export * from './launch-request.ts';
export * from './problem.ts';
export * from './routes.ts';
export * from './session.ts';
export * from './signing.ts';
