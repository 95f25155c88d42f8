export {
  DEFAULT_TERMINATION_MESSAGE_PATH,
  MOUNT_ROOT_ENV,
  TERMINATION_MESSAGE_ENV,
} from './container-paths.ts';
export {
  DEFAULT_IMAGE_MAP,
  type ImageMap,
  type ImageMapping,
  loadImageMap,
  matchesImage,
  resolveCommand,
} from './image-map.ts';
export { NODE_LABEL } from './node.ts';
export { type BindOptions, type PodRunner, type PodRunnerOptions, startPodRunner } from './runner.ts';
