import { h, setText } from './ui/dom.js';
import { mountPage } from './ui/shell.js';

void mountPage({
  title: (texts) => texts.pages.kds.title,
  compact: true,
  build(context, main) {
    const note = h('p', { class: 'kds-note' });
    main.append(h('section', { class: 'kds-board', 'aria-label': 'orders' }, note));
    context.onRender(() => setText(note, context.texts().pages.kds.orders));
  },
});
