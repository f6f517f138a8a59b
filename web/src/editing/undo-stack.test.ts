import { describe, expect, it } from 'vitest';
import { UndoStack } from './undo-stack.ts';

describe('UndoStack', () => {
  it('walks back and forth through the pushed states', () => {
    const stack = new UndoStack<string>();
    stack.reset('a');
    stack.push('b');
    stack.push('c');
    expect(stack.canRedo).toBe(false);
    expect(stack.undo()).toBe('b');
    expect(stack.undo()).toBe('a');
    expect(stack.canUndo).toBe(false);
    expect(stack.undo()).toBeUndefined();
    expect(stack.current).toBe('a');
    expect(stack.redo()).toBe('b');
    expect(stack.redo()).toBe('c');
    expect(stack.redo()).toBeUndefined();
  });

  it('forgets the undone states once something new is pushed', () => {
    const stack = new UndoStack<number>();
    stack.reset(1);
    stack.push(2);
    stack.undo();
    stack.push(3);
    expect(stack.canRedo).toBe(false);
    expect(stack.undo()).toBe(1);
    expect(stack.redo()).toBe(3);
  });

  it('keeps at most `limit` states to go back to', () => {
    const stack = new UndoStack<number>(3);
    stack.reset(0);
    for (let i = 1; i <= 10; i++) stack.push(i);
    const seen: number[] = [];
    for (let s = stack.undo(); s !== undefined; s = stack.undo()) seen.push(s);
    expect(seen).toEqual([9, 8, 7]);
  });

  it('starts empty after reset', () => {
    const stack = new UndoStack<number>();
    stack.push(1);
    stack.push(2);
    stack.reset();
    expect(stack.current).toBeUndefined();
    expect(stack.canUndo).toBe(false);
    expect(stack.canRedo).toBe(false);
  });
});
