// Building the page: text from the API always goes in as text, never as HTML.

/** The element with this id. */
export const $ = id => document.getElementById(id);

/**
 * A new element: h('p', 'note', 'Xin chào') or h('a', {href, class, onclick}, …kids).
 * `attrs` is a class name, an object or nothing (0, null); `text` sets the
 * text, `on…` adds a listener, `true` is an empty attribute, false or null is
 * left out. A button is type=button unless told otherwise (never a surprise
 * submit). Kids are nodes, text, numbers or arrays of them; null and false
 * are skipped so `cond && h(…)` works.
 */
export function h(tag, attrs, ...kids) {
  const node = document.createElement(tag);
  if (typeof attrs === 'string') attrs = {class: attrs};
  if (tag === 'button') node.type = 'button';
  for (const name in attrs || {}) {
    const value = attrs[name];
    if (value == null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, kids);
  return node;
}

function append(node, kids) {
  for (const kid of kids) {
    if (Array.isArray(kid)) append(node, kid);
    else if (kid != null && kid !== false) node.append(kid instanceof Node ? kid : String(kid));
  }
}

/** Replace what `node` holds with `kids`; `fill(node)` empties it. */
export function fill(node, ...kids) {
  node.textContent = '';
  append(node, kids);
  return node;
}

/** A button that says it is working and cannot be pressed twice meanwhile. */
export function busy(button, on, label) {
  if (on) {
    button.dataset.label = button.textContent;
    button.textContent = label || 'Đang gửi…';
    button.disabled = true;
  } else {
    button.textContent = button.dataset.label || button.textContent;
    button.disabled = false;
  }
}
