import { h, setText } from './ui/dom.js';
import { mountPage } from './ui/shell.js';

void mountPage({
  title: (texts) => texts.pages.kds.title,
  compact: true,
  build(context, main) {
    const note = h('p', { class: 'kds-note' });
    const board = h('section', { class: 'kds-board' }, note);
    main.append(board);
    context.onRender(() => {
      const texts = context.texts();
      board.setAttribute('aria-label', texts.pages.kds.title);
      setText(note, texts.pages.kds.orders);
    });
  },
});
