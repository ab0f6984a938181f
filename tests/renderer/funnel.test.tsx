// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FunnelEditor } from '../../src/renderer/src/components/Funnel';
import { addStep, effectiveSteps, moveStep, removeStep } from '../../src/renderer/src/lib/funnel';
import { fixtureEvents } from './fixtures';

afterEach(cleanup);

describe('funnel editing', () => {
  it('adds up to five steps, removes and reorders', () => {
    let s: string[] = [];
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) s = addStep(s, id);
    expect(s).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(removeStep(s, 1)).toEqual(['a', 'c', 'd', 'e']);
    expect(moveStep(s, 0, 1)).toEqual(['b', 'a', 'c', 'd', 'e']);
    expect(moveStep(s, 4, -2)).toEqual(['a', 'b', 'e', 'c', 'd']);
    expect(moveStep(s, 0, -1)).toEqual(s);
  });

  it('defaults to the selected event alone', () => {
    expect(effectiveSteps(undefined, 'ext:purchase')).toEqual(['ext:purchase']);
    expect(effectiveSteps([], 'ext:purchase')).toEqual(['ext:purchase']);
    expect(effectiveSteps(['button:Book now'], 'ext:purchase')).toEqual(['button:Book now']);
    expect(effectiveSteps(undefined, null)).toEqual([]);
  });

  it('the editor moves, removes and adds steps through its buttons', () => {
    const onChange = vi.fn();
    const labelOf = (id: string) => fixtureEvents.find((e) => e.id === id)?.label ?? id;
    render(
      <FunnelEditor
        steps={['button:Book now', 'ext:purchase']}
        labelOf={labelOf}
        events={fixtureEvents}
        onChange={onChange}
        custom
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Move step 2 up' }));
    expect(onChange).toHaveBeenLastCalledWith(['ext:purchase', 'button:Book now']);
    fireEvent.click(screen.getByRole('button', { name: 'Remove step 1' }));
    expect(onChange).toHaveBeenLastCalledWith(['ext:purchase']);
    fireEvent.change(screen.getByRole('combobox', { name: 'Event to add as a step' }), {
      target: { value: 'list:Pricing' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(onChange).toHaveBeenLastCalledWith(['button:Book now', 'ext:purchase', 'list:Pricing']);
    expect((screen.getByRole('button', { name: 'Move step 1 up' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(onChange).toHaveBeenLastCalledWith(undefined);
  });

  it('disables adding at five steps', () => {
    render(
      <FunnelEditor
        steps={['a', 'b', 'c', 'd', 'e']}
        labelOf={(id) => id}
        events={fixtureEvents}
        onChange={() => {}}
        custom
      />,
    );
    expect(
      (screen.getByRole('combobox', { name: 'Event to add as a step' }) as HTMLSelectElement).disabled,
    ).toBe(true);
    expect(screen.getByText('At most 5 steps')).toBeTruthy();
  });
});
