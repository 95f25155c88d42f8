import { describe, expect, it } from 'vitest';
import { createAnimation } from './animation.ts';

describe('wx.createAnimation', () => {
  it('groups calls into steps with their timing, numbers as px, and export() starts over', () => {
    const a = createAnimation({ duration: 300, timingFunction: 'ease' }) as Record<
      string,
      (...x: unknown[]) => unknown
    >;
    (a.translateX!(10) as typeof a).rotate!(45);
    a.step!();
    (a.width!(40) as typeof a).opacity!(0.5);
    a.step!({ duration: 100, delay: 20, transformOrigin: 'left top' });
    expect(a.export!()).toEqual({
      actions: [
        {
          animates: [
            { type: 'translateX', args: [10] },
            { type: 'rotate', args: [45] },
          ],
          option: {
            transformOrigin: '50% 50% 0',
            transition: { duration: 300, timingFunction: 'ease', delay: 0 },
          },
        },
        {
          animates: [
            { type: 'style', args: ['width', '40px'] },
            { type: 'style', args: ['opacity', 0.5] },
          ],
          option: {
            transformOrigin: 'left top',
            transition: { duration: 100, timingFunction: 'ease', delay: 20 },
          },
        },
      ],
    });
    expect(a.export!()).toEqual({ actions: [] });
  });
});
