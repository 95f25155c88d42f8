/** A boolean attribute of a built-in as WXML writes it: present and not "false" (`{{false}}`). */
export const truthy = (v: string | null | undefined): boolean =>
  v !== null && v !== undefined && v !== 'false' && v !== '';
