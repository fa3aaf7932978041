// @vitest-environment jsdom
import '../test-setup';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { renderUi } from '../test-render';
import { Composer } from './Composer';

const box = () => screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
const write = (text: string) => fireEvent.change(box(), { target: { value: text } });
const send = () => fireEvent.click(screen.getByRole('button', { name: 'Send' }));

describe('Composer', { timeout: 20_000 }, () => {
  it('sends the text and clears the draft once the message was accepted', async () => {
    const onSend = vi.fn(async () => undefined);
    renderUi(<Composer files={[]} onSend={onSend} />);
    write('See you Monday');
    send();
    expect(onSend).toHaveBeenCalledWith('See you Monday', []);
    await waitFor(() => expect(box().value).toBe(''));
  });

  it('keeps the draft and says why when moderation rejects the message', async () => {
    const onSend = vi.fn(() => Promise.reject(new ApiError(422, { code: 'MESSAGE_REJECTED' })));
    renderUi(<Composer files={[]} onSend={onSend} />);
    write('something rude');
    send();
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/breaks the conversation rules/));
    expect(box().value).toBe('something rude');
  });

  it('sends with Enter, not with Shift+Enter (a new line)', () => {
    const onSend = vi.fn(async () => undefined);
    renderUi(<Composer files={[]} onSend={onSend} />);
    write('line one\nline two');
    fireEvent.keyDown(box(), { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('line one\nline two', []);
  });

  it('does not offer attachments when the sender has no available file', () => {
    renderUi(<Composer files={[]} onSend={vi.fn()} />);
    expect((screen.getByRole('combobox', { name: 'Attach a file' }) as HTMLInputElement).disabled).toBe(true);
  });
});
